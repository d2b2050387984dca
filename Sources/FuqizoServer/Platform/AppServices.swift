import Foundation
import Crypto
import FuqizoCore
import NIOConcurrencyHelpers
import Vapor

/// The time source. Real time in production; tests move it forward to expire sessions,
/// locks and links (a fake at the outer edge, as the conventions allow).
public final class WallClock: Sendable {
    private let offset: NIOLockedValueBox<TimeInterval>

    public init() {
        offset = NIOLockedValueBox(0)
    }

    public func now() -> Date {
        Date().addingTimeInterval(offset.withLockedValue { $0 })
    }

    public func advance(by seconds: TimeInterval) {
        offset.withLockedValue { $0 += seconds }
    }

    /// How far this clock is moved from real time, in seconds.
    public var offsetSeconds: TimeInterval { offset.withLockedValue { $0 } }
}

/// Where the templates, catalogs, stylesheet and reference data live: the package's resource
/// bundle, found next to the binary wherever it is started from.
enum ResourceLocation {
    static func directory(override: URL?) -> URL {
        if let override { return override }
        return Bundle.module.bundleURL.appendingPathComponent("Resources", isDirectory: true)
    }
}

/// Key material that can cross concurrency domains (swift-crypto's SymmetricKey cannot).
struct SecretKeyBytes: Sendable {
    private let bytes: Data

    init(_ key: SymmetricKey) {
        bytes = key.withUnsafeBytes { Data($0) }
    }

    var key: SymmetricKey { SymmetricKey(data: bytes) }
}

/// Application-wide services, set up once in `configure`.
struct AppServices: Sendable {
    let config: AppConfig
    let clock: WallClock
    let masterKey: MasterKey
    let catalog: Catalog
    let passwordPolicy: PasswordPolicy
    let csrfKey: SecretKeyBytes
    let secretsBox: SecretBox
    /// Seals mail bodies while they wait in the outbox (they carry sign-in links).
    let mailBox: MailSeal
    /// Keys the audit chain's hashes, and (a key of its own) the anchors printed outside it.
    let audit: AuditTrail
    let anchorKey: SecretKeyBytes
    /// The needs maps last added up, per round (capacity assessment).
    let needsMaps = NeedsMapMemory()
    /// The public pages' smaller copies of campaign photos.
    let photoReducer: PhotoReducer
    /// The public campaign pages' campaigns, actions and mentions, kept half a minute.
    let publicCampaigns = PublicCampaignMemory()
    /// The facts the monitoring indicators are computed from, kept a minute.
    let programmeFacts = KeptValue<String, ProgrammeFacts>(lifetime: 60)
    /// The logframe's indicator values computed from them, while they last (keyed by the
    /// logframe and the time its facts were read); forgotten when a value typed by hand is
    /// approved or given back.
    let indicatorTables = KeptValue<String, LogframeFigures.Table>(lifetime: nil)
    /// The open-data files, kept five minutes; forgotten when their settings change.
    let openData = KeptValue<String, OpenDataFiles?>(lifetime: 300)
    /// The public results page's figures, kept five minutes: published aggregates need not be
    /// fresher than that, except that a consent given or withdrawn counts at once.
    let publicResults = KeptValue<String, ResultsService.Figures>(lifetime: 300)

    init(config: AppConfig, clock: WallClock, masterKey: MasterKey, catalog: Catalog, passwordPolicy: PasswordPolicy) {
        self.config = config
        self.clock = clock
        self.masterKey = masterKey
        self.catalog = catalog
        self.passwordPolicy = passwordPolicy
        csrfKey = SecretKeyBytes(masterKey.derivedKey(for: "csrf"))
        secretsBox = Self.secretsBox(masterKey)
        mailBox = Self.mailBox(masterKey)
        audit = AuditTrail(key: Self.auditKey(masterKey))
        anchorKey = SecretKeyBytes(masterKey.derivedKey(for: "audit-anchor"))
        photoReducer = PhotoReducer(executable: config.makesPhotoCopies ? PhotoReducer.locate() : nil)
    }

    /// A survivor's consent was given or withdrawn: every figure that counts records by their
    /// consent to statistics is read again at its next view.
    func consentsChanged() {
        programmeFacts.forget()
        publicResults.forget()
    }

    static func auditKey(_ masterKey: MasterKey) -> SecretKeyBytes {
        SecretKeyBytes(masterKey.derivedKey(for: "audit-chain"))
    }

    static func mailBox(_ masterKey: MasterKey) -> MailSeal {
        MailSeal(masterKey)
    }

    /// The box that seals users' stored secrets (second-factor secrets) under a master key.
    static func secretsBox(_ masterKey: MasterKey) -> SecretBox {
        SecretBox(key: masterKey.derivedKey(for: "user-secrets"))
    }

    /// The same services under another master key: what a restart after `fuqizo keys rotate` runs with.
    func rekeyed(_ next: MasterKey) -> AppServices {
        AppServices(config: config, clock: clock, masterKey: next, catalog: catalog, passwordPolicy: passwordPolicy)
    }
}

extension Application {
    private struct ServicesKey: StorageKey {
        typealias Value = AppServices
    }

    var services: AppServices {
        get {
            guard let services = storage[ServicesKey.self] else { fatalError("configure(_:) has not run") }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }

    public var clock: WallClock { services.clock }
    public var config: AppConfig { services.config }
}

extension Request {
    var services: AppServices { application.services }
    var now: Date { application.services.clock.now() }
}
