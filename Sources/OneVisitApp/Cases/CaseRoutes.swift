/// The case API's namespace (`CaseRoutes+API.swift`, `CaseRoutes+APISteps.swift`); the pages are `CasePages`.
enum CaseRoutes {}
