import Mustache

/// A row of a page list: the item's own fields, as a template reads them, plus the links
/// built for it from `SitePath` (`{{link}}`), so DTOs shared with the API carry no URLs.
struct LinkedRow<Item>: MustacheParent {
    let item: Item
    let links: [String: String]

    init(_ item: Item, links: [String: String]) {
        self.item = item
        self.links = links
    }

    init(_ item: Item, link: some SitePathProtocol) {
        self.init(item, links: ["link": link.link])
    }

    func child(named name: String) -> Any? {
        if let link = links[name] { return link }
        guard let value = Mirror(reflecting: item).children.first(where: { $0.label == name })?.value else { return nil }
        // An optional field reads as its value, or as missing, the way Mustache reads it by itself.
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}
