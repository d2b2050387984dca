import Foundation
import FuqizoCore

/// Every setting of the server, read once from the environment at start.
/// The README lists each one; nothing else reads the environment.
public struct AppConfig: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)

        public var isSQLite: Bool { if case .sqlite = self { true } else { false } }
    }

    public enum MailTransportChoice: String, Sendable {
        case log
        case sendmail
    }

    public var dataDirectory: URL
    public var database: DatabaseChoice
    /// On PostgreSQL, the schema to keep Fuqizo's tables in (created if missing); default `public`.
    public var databaseSchema: String?
    public var publicURL: String
    public var masterKeyBase64: String?
    public var sessionIdleTimeout: TimeInterval
    public var sessionAbsoluteLimit: TimeInterval
    public var bcryptCost: Int
    public var mailTransport: MailTransportChoice
    public var sendmailCommand: String
    public var mailFrom: String
    public var metricsToken: String?
    /// Reverse proxies whose `X-Forwarded-For` names the client (`FUQIZO_TRUSTED_PROXIES`).
    public var trustedProxies: [IPRange]
    /// Background work (mail delivery) runs in this instance. Tests drive it by hand instead.
    public var runsBackgroundJobs: Bool
    public var backgroundInterval: TimeInterval
    /// Where this instance's background work puts the daily backups (`FUQIZO_BACKUP_DIR`,
    /// default `backups` in the data directory); nil when `FUQIZO_BACKUP_DIR=off`.
    public var backupDirectory: URL?
    public var backupRetention: BackupRetention = .standard
    /// The largest document one upload may be.
    public var maxUploadBytes: Int
    /// Overrides where templates, catalogs and assets are read from (for editing templates
    /// without a rebuild); by default they come from the package's resource bundle.
    public var resourcesDirectory: URL?
    /// Public copies of campaign photos are made (`FUQIZO_PHOTO_COPIES=off` stops it; the
    /// server tests do, but for the one about them, to keep libvips's processes out of the rest).
    public var makesPhotoCopies: Bool = true

    public var usesHTTPS: Bool { publicURL.lowercased().hasPrefix("https://") }


    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        func value(_ name: String) -> String? { Text.clean(environment[name]) }
        func number(_ name: String, default fallback: Double) throws -> Double {
            guard let text = value(name) else { return fallback }
            guard let number = Double(text), number > 0 else { throw ConfigError.invalid(name) }
            return number
        }
        let dataDirectory = URL(fileURLWithPath: value("FUQIZO_DATA_DIR") ?? "var", isDirectory: true).standardizedFileURL
        let database: DatabaseChoice = if let url = value("DATABASE_URL") {
            .postgres(url: url)
        } else {
            .sqlite(path: dataDirectory.appendingPathComponent("fuqizo.sqlite").path)
        }
        let cost = Int(try number("FUQIZO_BCRYPT_COST", default: 12))
        guard cost >= 12, cost <= 16 else { throw ConfigError.invalid("FUQIZO_BCRYPT_COST") }
        guard let transport = MailTransportChoice(rawValue: value("FUQIZO_MAIL_TRANSPORT") ?? "log") else {
            throw ConfigError.invalid("FUQIZO_MAIL_TRANSPORT")
        }
        guard let trustedProxies = IPRange.list(value("FUQIZO_TRUSTED_PROXIES") ?? "") else {
            throw ConfigError.invalid("FUQIZO_TRUSTED_PROXIES")
        }
        let backupSetting = value("FUQIZO_BACKUP_DIR")
        // Bounded before the conversion: Int(1e300) would stop the process.
        func count(_ name: String, default fallback: Int, most: Double) throws -> Int {
            let number = try number(name, default: Double(fallback))
            guard number <= most, number == number.rounded() else { throw ConfigError.invalid(name) }
            return Int(number)
        }
        let retention = BackupRetention(daily: try count("FUQIZO_BACKUP_KEEP_DAILY", default: 7, most: 366),
                                        weekly: try count("FUQIZO_BACKUP_KEEP_WEEKLY", default: 4, most: 520))
        return AppConfig(
            dataDirectory: dataDirectory,
            database: database,
            databaseSchema: try value("FUQIZO_DATABASE_SCHEMA").map { name in
                guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }), name.count <= 63 else {
                    throw ConfigError.invalid("FUQIZO_DATABASE_SCHEMA")
                }
                return name
            },
            publicURL: (value("FUQIZO_PUBLIC_URL") ?? "http://127.0.0.1:8080").trimmingCharacters(in: CharacterSet(charactersIn: "/")),
            masterKeyBase64: value("FUQIZO_MASTER_KEY"),
            sessionIdleTimeout: try number("FUQIZO_SESSION_IDLE_MINUTES", default: 30) * 60,
            sessionAbsoluteLimit: try number("FUQIZO_SESSION_MAX_HOURS", default: 12) * 3600,
            bcryptCost: cost,
            mailTransport: transport,
            sendmailCommand: value("FUQIZO_SENDMAIL_COMMAND") ?? "/usr/sbin/sendmail -t -i",
            mailFrom: value("FUQIZO_MAIL_FROM") ?? "Fuqizo <noreply@fuqizo.invalid>",
            metricsToken: value("FUQIZO_METRICS_TOKEN"),
            trustedProxies: trustedProxies,
            runsBackgroundJobs: value("FUQIZO_BACKGROUND_JOBS") != "off",
            backgroundInterval: try number("FUQIZO_BACKGROUND_SECONDS", default: 10),
            backupDirectory: backupSetting == "off" ? nil
                : backupSetting.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
                    ?? dataDirectory.appendingPathComponent("backups", isDirectory: true),
            backupRetention: retention,
            maxUploadBytes: Int(try number("FUQIZO_MAX_UPLOAD_MB", default: 10) * 1_000_000),
            resourcesDirectory: value("FUQIZO_RESOURCES_DIR").map { URL(fileURLWithPath: $0, isDirectory: true) },
            makesPhotoCopies: value("FUQIZO_PHOTO_COPIES") != "off"
        )
    }
}

public enum ConfigError: Error, CustomStringConvertible {
    case invalid(String)
    case masterKey(String)

    public var description: String {
        switch self {
        case .invalid(let name): "The setting \(name) has an invalid value (see the README's configuration table)."
        case .masterKey(let reason): reason
        }
    }
}
