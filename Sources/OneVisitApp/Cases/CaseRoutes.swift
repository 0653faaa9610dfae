import Foundation
import Hummingbird

/// The case API's namespace (`CaseRoutes+API.swift`); the pages are `CasePages`.
enum CaseRoutes {
    static func caseID(_ context: some RequestContext) throws -> UUID { try CasePages.caseID(context) }

    static func resultFile(_ c: CaseModel, _ data: Data) -> Response { CasePages.resultFile(c, data) }
}
