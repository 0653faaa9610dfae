import FluentKit
import SQLKit
import Foundation
import Hummingbird
import Logging
import OneVisitDomain

/// Everything a route needs, built once in `buildApplication` (no globals).
public struct AppServices: Sendable {
    public let config: AppConfig
    public let persistence: Persistence
    public let accounts: AccountService
    public let catalog: CatalogService
    public let cases: CaseService
    let supervision: SupervisionService
    public let blobs: any FileStore
    /// Renders the result documents handed to applicants.
    public let documents: any DocumentRenderer
    public let renderer: WebRenderer
    public let metrics: AppMetrics
    public let clock: any AppClock

    /// Opens the database and loads the templates; shared by `serve` and the CLI commands.
    public static func make(config: AppConfig, dependencies: AppDependencies = .init(), logger: Logger) async throws -> AppServices {
        do {
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(setting: "ONEVISIT_DATA_DIR", problem: "无法创建数据目录 (cannot create the data folder) \(config.dataDirectory): \(error.localizedDescription)")
        }
        let metrics = AppMetrics()
        let persistence = try await Persistence.open(location: config.database, logger: logger, metrics: metrics, options: config.persistence)
        let accounts = AccountService(
            persistence: persistence, clock: dependencies.clock, bcryptCost: config.bcryptCost,
            sessionLifetime: config.sessionLifetime)
        let blobs = dependencies.files ?? BlobStore(dataDirectory: config.dataDirectory)
        let catalog = CatalogService(persistence: persistence, clock: dependencies.clock, blobs: blobs)
        // Demo mode without a configured gateway: the simulated one signs with a secret made
        // here, so no callback can be forged from a published default.
        let gateway = (config.paymentSecret ?? (config.demoMode ? dependencies.random.token() : nil)).map(HMACPaymentGateway.init(secret:))
        let cases = CaseService(persistence: persistence, clock: dependencies.clock, random: dependencies.random, blobs: blobs,
                                documents: dependencies.documents, gateway: gateway)
        return AppServices(
            config: config, persistence: persistence, accounts: accounts, catalog: catalog, cases: cases,
            supervision: SupervisionService(persistence: persistence, cases: cases), blobs: blobs, documents: dependencies.documents,
            renderer: try await WebRenderer.load(), metrics: metrics, clock: dependencies.clock)
    }
}

/// The one composition root: routes, middleware and the database service.
public func buildApplication(services: AppServices, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(services: services, logger: logger)
    return Application(
        router: router,
        // Idle connections, and ones that never finish their request head, are closed
        // instead of being held open by the thousand.
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(services.config.idleTimeout)))),
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: "OneVisit"),
        services: services.config.jobsInterval > 0
            ? [services.persistence, JobsService(services: services, interval: .seconds(services.config.jobsInterval), logger: logger)]
            : [services.persistence],
        logger: logger)
}

public func buildRouter(services: AppServices, logger: Logger = Logger(label: "onevisit")) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: services.metrics))
    router.add(middleware: ErrorMiddleware(renderer: services.renderer))
    router.add(middleware: InputGuardMiddleware())
    router.add(middleware: FileMiddleware(
        WebRenderer.publicFolder, urlBasePath: SitePath.Site.staticFiles.link,
        cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(86400)])]), searchForIndexHtml: false,
        logger: logger))
    router.add(middleware: AuthenticationMiddleware(accounts: services.accounts, secureCookies: services.config.secureCookies))

    router.get(SitePath.Monitoring.health.route) { _, _ -> Response in
        let ok = await services.persistence.ping()
        let body = ok ? #"{"status":"ok","database":"ok"}"# : #"{"status":"error","database":"unreachable"}"#
        return Response(status: ok ? .ok : .serviceUnavailable, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }
    // Liveness without the database (for a load balancer, and the plaintext route of the benchmarks).
    router.get(SitePath.Monitoring.liveness.route) { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
    router.get(SitePath.Monitoring.metrics.route) { request, context -> Response in
        guard MetricsAccess.allows(request, from: context.remoteAddress, token: services.config.metricsToken) else { throw AppError.forbidden }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: services.metrics.render())))
    }

    PortalRoutes.addPages(to: router, app: services)
    AccountRoutes.addPages(to: router, app: services)
    OrganisationRoutes.addPages(to: router, app: services)
    AuditRoutes.addPages(to: router, app: services)
    CatalogRoutes.addPages(to: router, app: services)
    CasePages.addRoutes(to: router, app: services)
    SupervisionRoutes.addPages(to: router, app: services)
    PublicityRoutes.addPages(to: router, app: services)

    // The API's routes register the full paths of `SitePath.API`.
    let api = router.group()
        .add(middleware: IdempotencyMiddleware(persistence: services.persistence, clock: services.clock))
    OpenAPIDocument.addRoute(to: api)
    AccountRoutes.addAPI(to: api, app: services)
    OrganisationRoutes.addAPI(to: api, app: services)
    AuditRoutes.addAPI(to: api, app: services)
    CatalogRoutes.addAPI(to: api, app: services)
    CaseRoutes.addAPI(to: api, app: services)
    SupervisionRoutes.addAPI(to: api, app: services)
    PublicityRoutes.addAPI(to: api, app: services)
    return router
}

/// Who may read `/metrics`: with a configured token, whoever sends it as a bearer token;
/// without one, the machine itself (a local Prometheus agent or an operator's shell).
enum MetricsAccess {
    static func allows(_ request: Request, from address: String, token: String?) -> Bool {
        guard let token else { return address == "local" || AppConfig.isLoopback(address) || address.hasPrefix("::ffff:127.") }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return false }
        return ConstantTime.equal(header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces), token)
    }
}

extension AppServices {
    /// The work calendar in force (stored data).
    public func workCalendar() async throws -> WorkCalendar {
        try await cases.calendar(on: persistence.db)
    }
}

extension AppServices {
    /// Deletes stored files that nothing refers to (see `BlobStore.collectGarbage`).
    public func collectGarbage(olderThan age: TimeInterval) async throws -> Int {
        let db = persistence.db
        var referenced = Set(try await StoredFileModel.query(on: db).all().compactMap(\.id))
        referenced.formUnion(try await db.sql.select().column("file_sha").from(CaseMaterialRow.table).where("file_sha", .isNot, SQLLiteral.null)
            .all(decodingColumn: "file_sha", as: String.self))
        referenced.formUnion(try await db.sql.select().column("result_sha").from(CaseRow.table).where("result_sha", .isNot, SQLLiteral.null)
            .all(decodingColumn: "result_sha", as: String.self))
        return blobs.collectGarbage(referenced: referenced, olderThan: age, now: clock.now)
    }
}
