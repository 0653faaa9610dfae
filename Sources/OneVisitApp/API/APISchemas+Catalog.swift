import Foundation
import OneVisitAPI
import OneVisitDomain

// The catalog's API types (generated from `openapi.json`) made from the views the catalog's
// pages show, field by field, so page and API say the same.

extension Components.Schemas.GuideSummary {
    init(_ g: GuideSummary) {
        self.init(id: g.id.uuidString, itemCode: g.itemCode, itemName: g.itemName, itemTypeName: g.itemTypeName, department: g.department,
                  regionCode: g.regionCode, regionName: g.regionName, topics: g.topics, promisedLimit: g.promisedLimit,
                  immediate: g.immediate, fullyOnline: g.fullyOnline, trips: g.trips)
    }
}

extension Components.Schemas.Fee {
    /// A fee line with its amount, unit and condition (R8.6), as the guide page's table shows it.
    init(_ f: Fee) {
        self.init(name: f.name, standard: f.standard, legalBasis: f.legalBasis, amountFen: f.amountFen, unit: .init(rawValue: f.unit.rawValue),
                  quantityName: f.quantityName, defaultQuantity: f.unit == .perPiece ? f.defaultQuantity : nil, condition: f.condition)
    }
}

extension Components.Schemas.Reductions {
    init(_ r: Reductions) {
        self.init(materialsRemoved: r.materialsRemoved, daysCompressed: r.daysCompressed, tripsReduced: r.tripsReduced,
                  daysCompressedPercent: r.daysCompressedPercent)
    }
}

extension Components.Schemas.GuideMaterial {
    init(_ m: GuideView.Material) {
        self.init(name: m.name, importance: m.importance, form: m.form, copies: m.copies, copiesText: m.copiesText, legalBasis: m.legalBasis,
                  supplied: m.supplied, fromApplicant: m.fromApplicant, blankFormURL: m.blankFormURL, blankFormName: m.blankFormName,
                  sampleURL: m.sampleURL, sampleName: m.sampleName)
    }
}

extension Components.Schemas.Guide {
    init(_ g: GuideView) throws {
        self.init(
            id: g.id.uuidString, versionID: g.versionID.uuidString, versionNumber: g.versionNumber, state: try .apiValue(g.state),
            stateName: g.stateName, itemCode: g.itemCode, itemName: g.itemName, mainItemName: g.mainItemName, subItemName: g.subItemName,
            itemType: try .apiValue(g.itemType), itemTypeName: g.itemTypeName, department: g.department, regionCode: g.regionCode,
            regionName: g.regionName, levelName: g.levelName, topics: g.topics, legalBasis: g.legalBasis,
            materials: g.materials.map(Components.Schemas.GuideMaterial.init),
            steps: g.steps.map { .init(number: $0.number, name: $0.name, departments: $0.departments, parallel: $0.parallel) },
            leadDepartment: g.leadDepartment, onSiteInspection: g.onSiteInspection, specialProcedures: g.specialProcedures,
            intermediaryServices: g.intermediaryServices, hasSpecialProcedures: g.hasSpecialProcedures,
            hasIntermediaryServices: g.hasIntermediaryServices, reportUp: g.reportUp, publiciseResult: g.publiciseResult, free: g.free,
            fees: g.fees.map(Components.Schemas.Fee.init), legalLimit: g.legalLimit, promisedLimit: g.promisedLimit, immediate: g.immediate,
            fullyOnline: g.fullyOnline, trips: g.trips, tripsReason: g.tripsReason, delivery: g.delivery,
            appointmentAvailable: g.appointmentAvailable, formFields: g.formFields, address: g.address, phone: g.phone, hours: g.hours,
            windows: g.windows, reductions: .init(g.reductions), publishedAt: g.publishedAt, publishedAtText: g.publishedAtText)
    }
}

extension Components.Schemas.DepartmentReductions {
    init(_ r: DepartmentReductions) {
        self.init(department: r.department, guides: r.guides, materialsRemoved: r.materialsRemoved, daysCompressed: r.daysCompressed,
                  tripsReduced: r.tripsReduced, zeroTripGuides: r.zeroTripGuides, fullyOnlineGuides: r.fullyOnlineGuides)
    }
}

extension Components.Schemas.DriftReport {
    init(_ r: DriftReport) throws {
        self.init(
            items: try r.items.map { item in
                .init(code: item.code, name: item.name, department: item.department, baseVersion: item.baseVersion,
                      implementations: try item.implementations.map { i in
                          .init(implementationID: i.implementationID.uuidString, regionCode: i.regionCode, regionName: i.regionName,
                                levelName: i.levelName, versionNumber: i.versionNumber, stateName: i.stateName,
                                differences: try i.differences.map { d in
                                    .init(attribute: try .apiValue(d.attribute.rawValue), attributeName: d.attributeName,
                                          baseValue: d.baseValue, localValue: d.localValue, detail: d.detail)
                                },
                                hasDrift: i.hasDrift)
                      },
                      driftCount: item.driftCount)
            },
            itemsWithDrift: r.itemsWithDrift, differences: r.differences)
    }
}

extension Components.Schemas.MaterialFlag {
    init(_ f: MaterialCheck.Flag) throws {
        self.init(material: f.material, rule: try .apiValue(f.rule.rawValue), message: f.message, justification: f.justification)
    }
}

extension Components.Schemas.CatalogEntry {
    init(_ e: CatalogEntry) throws {
        self.init(
            implementationID: e.implementationID.uuidString, versionID: e.versionID.uuidString, versionNumber: e.versionNumber,
            version: e.version, itemCode: e.itemCode, itemName: e.itemName, department: e.department, regionName: e.regionName,
            state: try .apiValue(e.state), stateName: e.stateName,
            flags: try e.flags.map { f in
                .init(material: f.material, rule: try .apiValue(f.rule), message: f.message, justification: f.justification, isJustified: f.isJustified)
            },
            unjustifiedFlags: e.unjustifiedFlags, problems: e.problems, driftCount: e.driftCount,
            canSubmit: e.canSubmit, canApprove: e.canApprove, canPublish: e.canPublish)
    }
}

extension ItemDefinition {
    /// The definition a request carried, in the domain's own type. The generated type has
    /// checked the body against the document; the domain's decoder (the one the catalog stores
    /// with) adds its own rules, such as the item code's form.
    init(_ definition: Components.Schemas.ItemDefinition) throws {
        self = try JSONDecoder().decode(ItemDefinition.self, from: JSONEncoder().encode(definition))
    }
}

extension LocalDetails {
    init(_ l: Components.Schemas.LocalDetails) {
        self.init(address: l.address, phone: l.phone, hours: l.hours, windows: l.windows)
    }
}
