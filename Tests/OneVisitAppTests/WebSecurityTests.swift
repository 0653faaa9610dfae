import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import OneVisitApp

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 10, items 13 and 16: each test performs the attack found by probing the running
/// server and checks that it now fails.
@Suite("Web security")
struct WebSecurityTests {
    static func signIn(_ app: TestApp, _ username: String) async throws -> String {
        let response = try await app.form("/login", ["username": username, "password": DemoSeed.password, "next": ""])
        return try #require(app.sessionCookie(from: response), "\(username): \(response.status) \(response.text)")
    }

    // MARK: 13. CSRF on the API

    @Test func apiPostWithSessionCookieOnly_isAnonymous_andWithTheCSRFHeaderWorks() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 张三's case, and 张三 signed in in the browser
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let submitted = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: [0, 4])
            let id = try CaseFlowTests.detail(submitted).summary.id
            let session = try await Self.signIn(app, "13800000001")
            let cookies = "\(session); \(CookieNames.csrf)=\(TestApp.csrf)"
            // act: another site's text/plain POST, which the browser sends with the cookies
            let forged = try await app.client.execute(
                uri: "/api/v1/cases/\(id)/withdraw", method: .post,
                headers: [.contentType: "text/plain", .cookie: cookies], body: ByteBuffer(string: #"{"reason":"跨站请求撤回"}"#))
            let wrongToken = try await app.client.execute(
                uri: "/api/v1/cases/\(id)/withdraw", method: .post,
                headers: [.contentType: "application/json", .cookie: cookies, AuthenticationMiddleware.csrfHeader: String(TestApp.csrf.reversed())],
                body: ByteBuffer(string: #"{"reason":"跨站请求撤回"}"#))
            // check: both anonymous, the case untouched
            #expect(forged.status == .unauthorized, "\(forged.text)")
            #expect(wrongToken.status == .unauthorized, "\(wrongToken.text)")
            #expect(try #require(try await app.caseRow(id)).state == .received)
            // reading with the cookie alone still works, and the page's own script may write
            let read = try await app.client.execute(uri: "/api/v1/cases/\(id)", method: .get, headers: [.cookie: cookies])
            #expect(read.status == .ok)
            let own = try await app.client.execute(
                uri: "/api/v1/cases/\(id)/withdraw", method: .post,
                headers: [.contentType: "application/json", .cookie: cookies, AuthenticationMiddleware.csrfHeader: TestApp.csrf],
                body: ByteBuffer(string: #"{"reason":"本人撤回申请"}"#))
            #expect(own.status == .ok, "\(own.text)")
            #expect(try #require(try await app.caseRow(id)).state != .received)
        }
    }

    // MARK: 16 a. Idle connections

    /// Opens a TCP connection, sends `text`, and reads until the server closes it or `limit`
    /// passes: what came back, and whether the server closed the connection.
    static func exchange(port: Int, sending text: String, within limit: Duration) async -> (closed: Bool, received: String) {
        await withCheckedContinuation { continuation in
            // Blocking socket calls, off the concurrency pool.
            Thread.detachNewThread {
                continuation.resume(returning: blockingExchange(port: port, sending: text, within: limit))
            }
        }
    }

    static func blockingExchange(port: Int, sending text: String, within limit: Duration) -> (closed: Bool, received: String) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return (false, "") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return (false, "") }
        if !text.isEmpty {
            _ = text.withCString { send(fd, $0, strlen($0), 0) }
        }
        let deadline = ContinuousClock.now + limit
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return (true, String(decoding: received, as: UTF8.self)) }
            received += buffer.prefix(count)
        }
        return (false, String(decoding: received, as: UTF8.self))
    }

    @Test func idleAndHalfSentConnections_areClosedAfterTheIdleTimeout() async throws {
        try await TestApp.run(mode: .live, configure: { config in
            config.host = "127.0.0.1"
            config.port = 0
            config.idleTimeout = 1
        }) { app in
            let port = try #require(app.client.port)
            // act: one connection that sends nothing, one that sends half a request head, and
            // one whole request that keeps its connection
            async let silent = Self.exchange(port: port, sending: "", within: .seconds(6))
            async let halfHead = Self.exchange(port: port, sending: "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n", within: .seconds(6))
            async let whole = Self.exchange(port: port, sending: "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", within: .seconds(6))
            // check: the server cuts all three off once idle; the whole request was answered first
            #expect(await silent == (true, ""))
            #expect(await halfHead == (true, ""))
            let answered = await whole
            #expect(answered.closed)
            #expect(answered.received.hasPrefix("HTTP/1.1 200"), "\(answered.received)")
        }
    }

    @Test func idleTimeout_isASettingWithADefault() async throws {
        #expect(try await AppConfig.load(environment: [:]).idleTimeout == 30)
        #expect(try await AppConfig.load(environment: ["ONEVISIT_HTTP_IDLE_TIMEOUT": "5"]).idleTimeout == 5)
        await #expect(throws: ConfigError.self) { try await AppConfig.load(environment: ["ONEVISIT_HTTP_IDLE_TIMEOUT": "0"]) }
    }

    // MARK: 16 b. /metrics

    @Test func metrics_withAToken_needsTheToken() async throws {
        let token = "metrics-token-0123456789"
        try await TestApp.run(configure: { $0.metricsToken = token }) { app in
            let none = try await app.page("/metrics")
            let wrong = try await app.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer metrics-token-9876543210"])
            let right = try await app.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(none.status == .forbidden)
            #expect(wrong.status == .forbidden)
            #expect(right.status == .ok)
            #expect(right.text.contains("onevisit_http_requests_total"))
        }
    }

    @Test func metrics_withoutAToken_onlyFromLoopback() async throws {
        func request(_ authorization: String? = nil) -> Request {
            var head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/metrics")
            if let authorization { head.headerFields[.authorization] = authorization }
            return Request(head: head, body: .init(buffer: ByteBuffer()))
        }
        for address in ["127.0.0.1", "::1", "local"] {
            #expect(MetricsAccess.allows(request(), from: address, token: nil), "\(address)")
        }
        for address in ["203.0.113.7", "10.0.0.5", "::ffff:203.0.113.7", "2001:db8::1"] {
            #expect(!MetricsAccess.allows(request(), from: address, token: nil), "\(address)")
        }
        // with a token the address alone is not enough
        #expect(!MetricsAccess.allows(request(), from: "127.0.0.1", token: "metrics-token-0123456789"))
        #expect(MetricsAccess.allows(request("Bearer metrics-token-0123456789"), from: "203.0.113.7", token: "metrics-token-0123456789"))
        // a live server answers its own machine
        try await TestApp.run(mode: .live, configure: { config in
            config.host = "127.0.0.1"
            config.port = 0
        }) { app in
            let response = try await app.client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
        }
    }

    @Test func metricsToken_isCheckedAtStartup() async throws {
        #expect(try await AppConfig.load(environment: [:]).metricsToken == nil)
        #expect(try await AppConfig.load(environment: ["ONEVISIT_METRICS_TOKEN": "metrics-token-0123456789"]).metricsToken == "metrics-token-0123456789")
        await #expect(throws: ConfigError.self) { try await AppConfig.load(environment: ["ONEVISIT_METRICS_TOKEN": "short"]) }
    }

    // MARK: 16 c. Secure cookies

    @Test func secureCookies_onUnlessLoopback_andTheSettingWins() async throws {
        let cases: [([String: String], Bool)] = [
            ([:], false),  // the default host is 127.0.0.1
            (["ONEVISIT_HTTP_HOST": "localhost"], false),
            (["ONEVISIT_HTTP_HOST": "::1"], false),
            (["ONEVISIT_HTTP_HOST": "0.0.0.0"], true),
            (["ONEVISIT_HTTP_HOST": "10.1.2.3"], true),
            (["ONEVISIT_HTTP_HOST": "0.0.0.0", "ONEVISIT_SECURE_COOKIES": "false"], false),
            (["ONEVISIT_HTTP_HOST": "127.0.0.1", "ONEVISIT_SECURE_COOKIES": "true"], true),
        ]
        for (environment, secure) in cases {
            #expect(try await AppConfig.load(environment: environment).secureCookies == secure, "\(environment)")
        }
        // a server on every address sets its cookies Secure
        try await TestApp.run(configure: { $0.host = "0.0.0.0" }) { app in
            let page = try await app.page("/login")
            let csrf = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("\(CookieNames.csrf)=") })
            #expect(csrf.lowercased().contains("secure"))
        }
    }

    // MARK: 16 d. Catalog downloads

    @Test func catalogAdmin_cannotDownloadACaseMaterial_butGetsCatalogFiles() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 张三 applies with two files
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let submitted = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: [0, 4])
            let id = try CaseFlowTests.detail(submitted).summary.id
            let material = try #require(try await app.rows(CaseMaterialRow.self, where: ["case_id": id]).first { $0.fileSHA != nil })
            let sha = try #require(material.fileSHA)
            let admin = try await app.token("catalog.ha")
            // act: the catalog admin asks the catalog's download route for it
            let stolen = try await app.client.execute(uri: "/downloads/\(sha)/x.pdf", method: .get, headers: [.authorization: "Bearer \(admin)"])
            // check: not found, as for everyone else
            #expect(stolen.status == .notFound)
            #expect(try await app.page("/downloads/\(sha)/x.pdf").status == .notFound)
            // the catalog's own files are still served: a published blank form to anyone, an
            // upload to its admin (also when an applicant sent the same bytes before)
            let published = try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").all()
            let form = try #require(try published.lazy.compactMap { try CatalogService.decode($0.definition).attributes.materials.compactMap(\.blankForm).first }.first)
            #expect(try await app.page("/downloads/\(form.sha256)/form.pdf").status == .ok)
            let uploaded = try await app.client.execute(
                uri: "/api/v1/catalog/files?name=sample.pdf", method: .post,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/octet-stream"], body: ByteBuffer(data: CaseFlowTests.pdf))
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let own = try await app.client.execute(uri: "/downloads/\(sha)/sample.pdf", method: .get, headers: [.authorization: "Bearer \(admin)"])
            #expect(own.status == .ok)
        }
    }
}
