import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import FuqizoCore
import Leaf
import LeafKit
import SQLKit
import Vapor

/// Builds the application: database, migrations, keys, templates, middleware, routes, commands.
public func configure(_ app: Application, config: AppConfig, clock: WallClock = WallClock()) async throws {
    let resources = ResourceLocation.directory(override: config.resourcesDirectory)
    let masterKey = try KeyStore.loadMasterKey(config: config)
    let commonPasswords = (try? String(contentsOf: resources.appendingPathComponent("Data/common-passwords.txt"), encoding: .utf8))?
        .split(whereSeparator: \.isNewline).map(String.init) ?? []
    app.services = AppServices(
        config: config, clock: clock, masterKey: masterKey,
        catalog: try Catalog(directory: resources.appendingPathComponent("Localization")),
        passwordPolicy: PasswordPolicy(commonPasswords: commonPasswords))

    switch config.database {
    case .sqlite(let path):
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
    case .postgres(let url):
        var postgres = try SQLPostgresConfiguration(url: url)
        postgres.searchPath = config.databaseSchema.map { [$0] }
        app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: 4), as: .psql)
    }
    registerMigrations(app, resources: resources)

    // Leaf's own provider turns its template cache off in the development environment, which
    // is what `swift run fuqizo serve` runs in; the cache follows FUQIZO_RESOURCES_DIR instead.
    app.views.use { app in
        LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
                     sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(), userInfo: ["application": app])
    }
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions], // the bundle may sit under a hidden folder such as .build
        sandboxDirectory: resources.path, viewDirectory: resources.appendingPathComponent("Views").path + "/"))
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["url"] = SiteURLTag()
    app.leaf.cache.isEnabled = config.resourcesDirectory == nil

    app.http.server.configuration.responseCompression = .enabled(initialByteBufferCapacity: 1024)
    app.http.server.configuration.requestDecompression = .enabled(limit: .ratio(10))
    app.routes.defaultMaxBodySize = "1mb"

    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(usesHTTPS: config.usesHTTPS))
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(AssetMiddleware(files: FileMiddleware(
        publicDirectory: resources.appendingPathComponent("Public").path + "/", defaultFile: nil, advancedETagComparison: true)))
    app.middleware.use(LanguageMiddleware())
    app.middleware.use(FlashMiddleware())
    app.middleware.use(SessionMiddleware())
    app.middleware.use(WorkCountsMiddleware())
    app.middleware.use(AccessMiddleware())
    app.middleware.use(CSRFMiddleware())
    app.middleware.use(FormInputMiddleware())
    app.middleware.use(RecordAccessMiddleware())

    MetricsRegistry.shared.bootstrap()
    try routes(app)

    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(ExportCommand(), as: "export")
    app.asyncCommands.use(KeysCommands.group(), as: "keys")
    app.asyncCommands.use(DoctorCommand(), as: "doctor")
    app.asyncCommands.use(SetupLinkCommand(), as: "setup-link")
    // Order matters: the database is migrated before background work starts.
    app.lifecycle.use(FirstRunSetup())
    app.lifecycle.use(BackgroundJobs())
}

/// Brings the database to the current schema and checks the master key against it.
/// Every command calls this before it touches data.
public func prepareDatabase(_ app: Application, checkingKey: Bool = true) async throws {
    if let schema = app.services.config.databaseSchema, case .postgres = app.services.config.database,
       let sql = app.db as? any SQLDatabase {
        try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)").run()
    }
    try await app.autoMigrate()
    if let sql = app.db as? any SQLDatabase, case .sqlite = app.services.config.database {
        // WAL lets readers go on while one writer commits.
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await mapDatabaseFile(app)
    }
    // `fuqizo keys rotate` checks the key itself: it may have to finish an interrupted rotation.
    if checkingKey {
        try await KeyStore.verify(app.services.masterKey, on: app.db)
        try await AuditLog.markKeyedFrom(key: app.services.audit.key.key, on: app.db)
    }
}

/// Reads through a memory map of the database file, on every connection (one per event loop).
/// Without it each connection copies pages into its own cache with a system call, and drops
/// that cache whenever another connection writes: a tenth of a busy page's time went to
/// reading pages again (docs/performance.md). Writes still go through the journal as before.
private func mapDatabaseFile(_ app: Application) async throws {
    for loop in app.eventLoopGroup.makeIterator() {
        guard let sql = app.databases.database(logger: app.logger, on: loop) as? any SQLDatabase else { continue }
        // Up to 1 GiB of the file: address space only; the kernel keeps what is read.
        try await sql.raw("PRAGMA mmap_size = 1073741824").run()
        // A commit is on the disk before the page answers: a power cut or kill -9 loses no
        // write that was acknowledged (SQLite's WAL default would be NORMAL in some builds).
        try await sql.raw("PRAGMA synchronous = FULL").run()
    }
}

extension Application {
    /// True when the command is `serve` (also the default when no command is given).
    var isServing: Bool {
        if environment == .testing { return false }
        return command.map { $0 == "serve" || $0.hasPrefix("-") } ?? true
    }

    /// The command's name as typed (`serve`, `keys`, …), nil when none was given.
    var command: String? { environment.arguments.dropFirst().first }
}

/// At `serve`: with no administrator yet, prints a one-time setup link on the console.
struct FirstRunSetup: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        if application.isServing {
            application.serverLock = try ServerLock.acquire(in: application.services.config.dataDirectory, exclusive: false)
        }
        // These read or replace the database as it is, before any migration would change it.
        guard !["backup", "restore", "migrate", "doctor"].contains(application.command) else { return }
        try await prepareDatabase(application, checkingKey: application.command != "keys")
        guard application.isServing else { return }
        if application.services.photoReducer.executable == nil {
            application.logger.warning("vipsthumbnail (Debian's libvips-tools) is not installed: campaign photos are shown to the public at their uploaded size.")
        }
        if application.services.config.mailTransport == .log {
            application.logger.warning("""
                FUQIZO_MAIL_TRANSPORT is log: every mail, with its sign-in links, is printed on this console. \
                That is for trying Fuqizo out; set it to sendmail before real people use it.
                """)
        }
        let identity = IdentityService(database: application.db, services: application.services, passwords: application.passwordHasher)
        if try await !identity.administratorExists() {
            let token = try await identity.issueSetupLink()
            print("""

            No administrator exists yet. Open this one-time link within one hour to create one:
              \(application.services.config.publicURL)/setup/\(token)

            """)
        }
    }
}
