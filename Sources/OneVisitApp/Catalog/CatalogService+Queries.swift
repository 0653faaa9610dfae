import FluentKit
import Foundation
import OneVisitDomain

extension CatalogService {
    struct SearchQuery: Sendable {
        var text: String = ""
        var department: String = ""
        var topic: String = ""
        var region: String = ""
    }

    func regionNames(on db: any Database) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: db).all().map { ($0.id!, $0.name) })
    }

    /// Published guides matching a search (R6.1). Chinese text matches on any part of a
    /// word: 食品 finds 食品经营许可.
    func searchPublished(_ query: SearchQuery, limit: Int = 200) async throws -> [GuideSummary] {
        let db = persistence.db
        var builder = GuideVersionModel.query(on: db).filter(\.$state == GuideState.published.rawValue)
        let text = query.text.lowercased().filter { $0 != "%" && $0 != "_" && $0 != "\\" }.trimmingCharacters(in: .whitespaces)
        for term in text.split(separator: " ").prefix(5) {
            builder = builder.filter(\.$searchText ~~ String(term))
        }
        if !query.department.isEmpty { builder = builder.filter(\.$departmentName == query.department) }
        if !query.topic.isEmpty { builder = builder.filter(\.$topics ~~ query.topic) }
        if !query.region.isEmpty { builder = builder.filter(\.$regionCode == query.region) }
        let versions = try await builder.sort(\.$itemCode).sort(\.$regionCode).limit(limit).all()
        let regions = try await regionNames(on: db)
        return try versions.map { v in
            let d = try Self.decode(v.definition)
            return GuideSummary(
                id: v.implementationID, itemCode: v.itemCode, itemName: v.itemName,
                itemTypeName: ItemType(rawValue: v.itemType)?.chineseName ?? v.itemType, department: v.departmentName,
                regionCode: v.regionCode, regionName: regions[v.regionCode] ?? v.regionCode, topics: v.topics,
                promisedLimit: d.attributes.promisedLimit, immediate: d.terms.immediate, fullyOnline: d.terms.fullyOnline, trips: d.terms.trips)
        }
    }

    /// The facets of the portal's guide list: departments and topics that have published guides.
    func facets() async throws -> (departments: [String], topics: [String], regions: [(code: String, name: String)], items: Int) {
        let versions = try await GuideVersionModel.query(on: persistence.db).filter(\.$state == GuideState.published.rawValue)
            .field(\.$departmentName).field(\.$topics).field(\.$regionCode).field(\.$itemCode).all()
        let departments = Set(versions.map(\.departmentName)).sorted()
        let topics = Set(versions.flatMap { $0.topics.split(separator: "、").map(String.init) }).sorted()
        let names = try await regionNames(on: persistence.db)
        let regions = Set(versions.map(\.regionCode)).sorted().map { (code: $0, name: names[$0] ?? $0) }
        return (departments, topics, regions, Set(versions.map(\.itemCode)).count)
    }

    /// An implementation's published guide; `includeUnpublished` shows staff the newest version.
    func guide(implementationID: UUID, includeUnpublished: Bool = false) async throws -> GuideView {
        let db = persistence.db
        var builder = GuideVersionModel.query(on: db).filter(\.$implementationID == implementationID)
        if !includeUnpublished { builder = builder.filter(\.$state == GuideState.published.rawValue) }
        guard let version = try await builder.sort(\.$number, .descending).first() else { throw AppError.notFound }
        let regions = try await regionNames(on: db)
        return GuideView(version: version, definition: try Self.decode(version.definition), regionName: regions[version.regionCode] ?? version.regionCode)
    }

    /// The version a region currently stands by: its published one, else its newest.
    static func currentVersions(on db: any Database) async throws -> [UUID: GuideVersionModel] {
        let all = try await GuideVersionModel.query(on: db).filter(\.$state != GuideState.superseded.rawValue).all()
        var current: [UUID: GuideVersionModel] = [:]
        for v in all {
            if let existing = current[v.implementationID] {
                let existingPublished = existing.state == GuideState.published.rawValue
                let newPublished = v.state == GuideState.published.rawValue
                if existingPublished && !newPublished { continue }
                if newPublished && !existingPublished || v.number > existing.number { current[v.implementationID] = v }
            } else {
                current[v.implementationID] = v
            }
        }
        return current
    }

    /// 三级十同 drift report (R3.10, R10.3 a): every implementation against its base item.
    func driftReport() async throws -> DriftReport {
        let db = persistence.db
        let regions = try await regionNames(on: db)
        let current = try await Self.currentVersions(on: db)
        let implementations = try await ImplementationModel.query(on: db).all()
        var items: [DriftReport.Item] = []
        for item in try await BaseItemModel.query(on: db).sort(\.$code).all() {
            let base = try await Self.baseDefinition(item, on: db)
            let lines: [DriftReport.Implementation] = try implementations.filter { $0.baseItemID == item.id }
                .sorted { $0.regionCode < $1.regionCode }
                .compactMap { implementation in
                    guard let version = current[implementation.id!] else { return nil }
                    let local = try Self.decode(version.definition)
                    let differences = TenSames.differences(base: base.attributes, local: local.attributes)
                    return .init(
                        implementationID: implementation.id!, regionCode: implementation.regionCode,
                        regionName: regions[implementation.regionCode] ?? implementation.regionCode,
                        levelName: RegionCode(implementation.regionCode)?.level.chineseName ?? "",
                        versionNumber: version.number, stateName: GuideState(rawValue: version.state)?.chineseName ?? version.state,
                        differences: differences, hasDrift: !differences.isEmpty)
                }
            items.append(.init(code: item.code, name: item.displayName, department: item.department, baseVersion: item.currentVersion,
                               implementations: lines, driftCount: lines.reduce(0) { $0 + $1.differences.count }))
        }
        return DriftReport(items: items, itemsWithDrift: items.filter { $0.driftCount > 0 }.count, differences: items.reduce(0) { $0 + $1.driftCount })
    }

    /// Reductions against the legal baseline, summed per department over published guides (R5.1, R11.3.2).
    func reductionsByDepartment() async throws -> [DepartmentReductions] {
        let versions = try await GuideVersionModel.query(on: persistence.db).filter(\.$state == GuideState.published.rawValue).all()
        var byDepartment: [String: DepartmentReductions] = [:]
        for v in versions {
            let d = try Self.decode(v.definition)
            let r = Reductions.of(d)
            var entry = byDepartment[v.departmentName] ?? DepartmentReductions(department: v.departmentName, guides: 0, materialsRemoved: 0, daysCompressed: 0, tripsReduced: 0, zeroTripGuides: 0, fullyOnlineGuides: 0)
            entry.guides += 1
            entry.materialsRemoved += r.materialsRemoved
            entry.daysCompressed += r.daysCompressed
            entry.tripsReduced += r.tripsReduced
            entry.zeroTripGuides += d.terms.trips == 0 ? 1 : 0
            entry.fullyOnlineGuides += d.terms.fullyOnline ? 1 : 0
            byDepartment[v.departmentName] = entry
        }
        return byDepartment.values.sorted { $0.department < $1.department }
    }

    /// Every implementation's current version with its R6.2 flags, completeness and drift,
    /// and which transitions `principal` may make.
    func entries(for principal: Principal) async throws -> [CatalogEntry] {
        let db = persistence.db
        let regions = try await regionNames(on: db)
        let current = try await Self.currentVersions(on: db)
        let drift = try await driftReport()
        let driftByImplementation = Dictionary(uniqueKeysWithValues: drift.items.flatMap(\.implementations).map { ($0.implementationID, $0.differences.count) })
        let implementations = Dictionary(uniqueKeysWithValues: try await ImplementationModel.query(on: db).all().map { ($0.id!, $0) })
        return try current.values.sorted { ($0.itemCode, $0.regionCode) < ($1.itemCode, $1.regionCode) }.compactMap { v in
            guard let implementation = implementations[v.implementationID] else { return nil }
            let d = try Self.decode(v.definition)
            let (flags, problems) = check(d)
            let state = GuideState(rawValue: v.state) ?? .draft
            func allowed(_ action: GuideState.Action) -> Bool {
                (try? state.applying(action)) != nil && (try? Self.authorise(action, principal: principal, implementation: implementation, version: v)) != nil
            }
            return CatalogEntry(
                implementationID: v.implementationID, versionID: v.id!, versionNumber: v.number, version: v.version,
                itemCode: v.itemCode, itemName: v.itemName, department: v.departmentName,
                regionName: regions[v.regionCode] ?? v.regionCode, state: v.state, stateName: state.chineseName,
                flags: flags.map(CatalogEntry.FlagView.init), unjustifiedFlags: flags.filter { !$0.isJustified }.count, problems: problems,
                driftCount: driftByImplementation[v.implementationID] ?? 0,
                canSubmit: allowed(.submit), canApprove: allowed(.approve), canPublish: allowed(.publish))
        }
    }
}
