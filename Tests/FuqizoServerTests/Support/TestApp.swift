import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The real application on a fresh database: a new SQLite file, or — when
/// `FUQIZO_TEST_DATABASE_URL` is set — a new schema in that PostgreSQL database.
/// `prepared: false` leaves the database untouched (not even created), as for a restore.
func withFuqizo<T>(_ extra: [String: String] = [:], prepared: Bool = true, _ body: (Application) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-test-\(UUID().uuidString)")
    var environment = [
        "FUQIZO_DATA_DIR": directory.path,
        "FUQIZO_BACKGROUND_JOBS": "off",
        "FUQIZO_PHOTO_COPIES": "off",
        "FUQIZO_MASTER_KEY": TestFixtures.masterKey,
        "FUQIZO_PUBLIC_URL": "http://127.0.0.1:8080",
    ]
    var schema: String?
    if let url = TestFixtures.postgresURL {
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        environment["DATABASE_URL"] = url
        environment["FUQIZO_DATABASE_SCHEMA"] = schema
    }
    environment.merge(extra) { _, new in new }
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    func cleanUp() async {
        if let schema, let sql = app.db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
        }
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(at: directory)
    }
    do {
        try await configure(app, config: AppConfig.fromEnvironment(environment))
        if prepared { try await prepareDatabase(app) }
        let result = try await body(app)
        await cleanUp()
        return result
    } catch {
        await cleanUp()
        throw error
    }
}

enum TestFixtures {
    static let postgresURL = ProcessInfo.processInfo.environment["FUQIZO_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let masterKey = "q83vEo0fH4m3fZ8Jt3bXGZyq3e9c1Jm0cY8o2l0lW1Q="
    static let password = "a long enough test passphrase"
    /// Hashed once per test run: Bcrypt at cost 12 is slow on purpose.
    static let passwordHash: String = try! Bcrypt.hash(password, cost: 12)

    @discardableResult
    static func user(_ app: Application, email: String = "person-\(UUID().uuidString.prefix(8))@example.org",
                     grants: [RoleGrant], twoFactorSecret: [UInt8]? = nil, enrolled: Bool = true) async throws -> User {
        let user = User(email: email.lowercased(), displayName: "Test Person", language: .sq)
        user.passwordHash = passwordHash
        try await user.create(on: app.db)
        // Roles that require a second factor have one, as they would after their first sign-in.
        let needsSecondFactor = enrolled && grants.contains { $0.role.requiresTwoFactor }
        if let secret = twoFactorSecret ?? (needsSecondFactor ? TOTP.randomSecret() : nil) {
            user.totpSecret = try app.services.secretsBox.seal(Data(secret), boundTo: IdentityService.secretContext(of: user.id!, pending: false))
            try await user.save(on: app.db)
        }
        for grant in grants { try await RoleAssignment(userID: user.id!, grant: grant).create(on: app.db) }
        return user
    }

    /// A signed-in session made directly in the database, for tests about what a role may do
    /// (the sign-in itself is tested on its own).
    static func session(_ app: Application, for user: User) async throws -> String {
        let token = SecretToken.generate()
        try await UserSession(tokenDigest: SecretToken.digest(token), userID: user.requireID(), stage: .active, now: app.clock.now())
            .create(on: app.db)
        return token
    }

    /// The demo's fictional programme (organisations, one user per role and the extra people,
    /// a decided call, survivors); the users whose roles need a second factor have one, as
    /// after their first sign-in. Returns the organisations' ids, the demo's first one first.
    static func demo(_ app: Application, organisations count: Int = 4, applications: Int, survivors: Int,
                     openCall: Bool = false) async throws -> [UUID] {
        let organisations = try await DemoData.loadOrganisations(app: app, count: count)
        _ = try await DemoData.loadUsers(app: app, organisations: organisations)
        if openCall { try await DemoData.loadOpenCall(app: app) }
        try await DemoData.loadClosedCalls(app: app, count: 1, applications: applications, organisations: organisations)
        try await DemoData.loadContracts(app: app)
        try await DemoData.loadSurvivors(app: app, count: survivors, organisations: organisations)
        try await DemoData.loadCapacity(app: app, organisations: organisations)
        try await DemoData.loadCsoPeople(app: app, organisations: organisations)
        try await DemoData.loadEvents(app: app, organisations: organisations)
        try await DemoData.loadCampaigns(app: app)
        try await DemoData.loadArticles(app: app)
        try await DemoData.loadLibrary(app: app)
        try await DemoData.loadMonitoring(app: app)
        for user in try await User.query(on: app.db).with(\.$roles).all()
        where user.roles.contains(where: { Role(rawValue: $0.role)?.requiresTwoFactor == true }) {
            user.totpSecret = try app.services.secretsBox.seal(Data(TOTP.randomSecret()),
                                                              boundTo: IdentityService.secretContext(of: user.id!, pending: false))
            try await user.save(on: app.db)
        }
        return organisations
    }

    /// Sign-in and second factors, as the pages use them.
    static func identity(_ app: Application) -> IdentityService {
        IdentityService(database: app.db, services: app.services, passwords: app.passwordHasher)
    }

    static func municipality(_ app: Application, named name: String) async throws -> Municipality {
        try #require(try await Municipality.query(on: app.db).filter(\.$name == name).first())
    }

    @discardableResult
    static func organisation(_ app: Application, name: String = "Shoqata Test", nuis: String? = nil,
                             municipality: String = "Kukës") async throws -> Organisation {
        let place = try await self.municipality(app, named: municipality)
        var form = OrganisationForm()
        form.nameSq = name
        form.legalForm = "association"
        form.registrationNumber = nuis ?? "L\(String(format: "%08d", Int.random(in: 0..<100_000_000)))A"
        form.municipalityID = place.id!.uuidString
        form.focusAreas = ["antiTrafficking"]
        form.iban = "AL47 2121 1009 0000 0002 3569 8741"
        let service = OrganisationService(database: app.db, services: app.services)
        guard case .success(let id) = try await service.save(form, id: nil, includeBankDetails: true, actor: UUID()) else {
            Issue.record("could not create the test organisation")
            throw Abort(.internalServerError)
        }
        return try await service.find(id)
    }
}

/// A browser for in-memory requests: keeps cookies and the last page's CSRF token.
final class Browser {
    let app: Application
    private(set) var cookies: [String: String] = [:]
    private(set) var csrf: String?
    private(set) var lastBody = ""

    init(_ app: Application, session: String? = nil) {
        self.app = app
        if let session { cookies[SessionMiddleware.cookieName] = session }
    }

    var sessionCookie: String? { cookies[SessionMiddleware.cookieName] }

    func setCookie(_ name: String, _ value: String?) { cookies[name] = value }

    @discardableResult
    func get(_ path: String, headers: [(String, String)] = []) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers)
    }

    /// Posts a form; the CSRF token of the last page is added unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = [], csrf: Bool = true,
              headers: [(String, String)] = []) async throws -> TestingHTTPResponse {
        var all = fields
        if csrf, let token = self.csrf { all.append(("_csrf", token)) }
        let body = all.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")],
                              body: ByteBuffer(string: body))
    }

    /// Posts a multipart form with one file, as a browser's upload form does.
    @discardableResult
    func upload(_ path: String, _ fields: [(String, String)], file: (field: String, filename: String, bytes: [UInt8]),
                csrf: Bool = true) async throws -> TestingHTTPResponse {
        let boundary = "fuqizo-test-\(UUID().uuidString)"
        var all = fields
        if csrf, let token = self.csrf { all.append(("_csrf", token)) }
        var body = ByteBuffer()
        for (name, value) in all {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"\r\n")
        body.writeString("Content-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file.bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        return try await send(.POST, path, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
    }

    private func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: ByteBuffer? = nil) async throws -> TestingHTTPResponse {
        var requestHeaders = HTTPHeaders(headers)
        if !cookies.isEmpty {
            requestHeaders.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await app.testing().sendRequest(method, path, headers: requestHeaders, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { continue }
            let expired = header.contains("Max-Age=0") || header.contains("1970")
            cookies[pair[0]] = expired || pair[1].isEmpty ? nil : pair[1]
        }
        lastBody = response.body.string
        if let range = lastBody.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression) {
            csrf = String(lastBody[range].split(separator: "\"")[3])
        }
        return response
    }

    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// Signs in through the real pages (password, then a TOTP code when the account has one).
    func signIn(_ email: String, password: String = TestFixtures.password, totpSecret: [UInt8]? = nil) async throws -> TestingHTTPResponse {
        try await get("/sign-in")
        var response = try await post("/sign-in", [("email", email), ("password", password)])
        if let secret = totpSecret, response.headers.first(name: .location)?.hasPrefix("/sign-in/code") == true {
            try await get("/sign-in/code")
            let code = TOTP(secret: secret).code(atStep: TOTP.step(at: app.clock.now()))
            response = try await post("/sign-in/code", [("code", code)])
        }
        return response
    }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
}

extension TestFixtures {
    /// A published call with two lots (Kukës 150,000 and Dibër 120,000 EUR); deadlines are
    /// counted in days from the test clock's now, so a test can move past them.
    static func publishedCall(_ app: Application, reference: String = "CFP-2019-01", stages: CallStages = .two,
                              questionsInDays: Double = 5, conceptInDays: Double = 10, fullInDays: Double = 40) async throws -> GrantCall {
        func day(_ days: Double) -> (String, String) { TiranaTime.parts(of: app.clock.now().addingTimeInterval(days * 86_400)) }
        var form = CallForm()
        form.reference = reference
        form.titleSq = "Fuqizimi ekonomik"
        form.titleEn = "Economic empowerment"
        form.stages = stages.rawValue
        form.eligibleApplicants = "Associations registered in Albania"
        form.eligibleActivities = "Vocational training"
        form.eligibleApplicantsEn = "Associations registered in Albania"
        form.eligibleActivitiesEn = "Vocational training"
        (form.questionsDate, form.questionsTime) = day(questionsInDays)
        if stages == .two { (form.conceptDate, form.conceptTime) = day(conceptInDays) }
        (form.fullDate, form.fullTime) = day(fullInDays)
        form.lots = [LotForm(nameSq: "Kukës", nameEn: "Kukës", envelope: "150000"), LotForm(nameSq: "Dibër", nameEn: "Dibër", envelope: "120000")]
        let service = CallService(database: app.db, services: app.services)
        guard case .success(let id) = try await service.save(form, id: nil, actor: UUID()) else {
            Issue.record("could not create the test call")
            throw Abort(.internalServerError)
        }
        try await service.publish(id, actor: UUID())
        return try await service.find(id)
    }
}
