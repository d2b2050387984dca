import Fluent
import Foundation
import FuqizoCore
import SQLKit

/// Loads the master key: from `FUQIZO_MASTER_KEY`, or from `master.key` in the data directory,
/// created on first run with mode 0600. A key file others can read is refused.
enum KeyStore {
    static let fileName = "master.key"

    static func loadMasterKey(config: AppConfig) throws -> MasterKey {
        if let base64 = config.masterKeyBase64 {
            guard let key = MasterKey(base64: base64) else {
                throw ConfigError.masterKey("FUQIZO_MASTER_KEY must be 32 random bytes in base64 (openssl rand -base64 32).")
            }
            return key
        }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
        let path = config.dataDirectory.appendingPathComponent(fileName).path
        if !fileManager.fileExists(atPath: path) {
            let key = MasterKey.generate()
            guard fileManager.createFile(atPath: path, contents: Data((key.base64 + "\n").utf8),
                                         attributes: [.posixPermissions: 0o600]) else {
                throw ConfigError.masterKey("Could not write the master key file \(path).")
            }
            return key
        }
        let attributes = try fileManager.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw ConfigError.masterKey("The master key file \(path) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        guard let text = String(data: try Data(contentsOf: URL(fileURLWithPath: path)), encoding: .utf8),
              let key = MasterKey(base64: text) else {
            throw ConfigError.masterKey("The master key file \(path) is not a valid key.")
        }
        return key
    }

    /// The first start stores the key's check value; every later start compares it, so a server
    /// given the wrong key stops before it writes anything no one could read.
    static func verify(_ key: MasterKey, on database: any Database) async throws {
        if let stored = try await SystemValue.find("master_key_check", on: database) {
            guard constantTimeEquals(stored.value, key.checkValue) else {
                throw ConfigError.masterKey("The master key does not match this database. Start with the key it was created with.")
            }
        } else {
            try await SystemValue(id: "master_key_check", value: key.checkValue).create(on: database)
        }
    }
}

/// Small named values of the installation itself (not settings a user edits).
final class SystemValue: Model, @unchecked Sendable {
    static let schema = "system_values"

    // managed fields
    @ID(custom: "name", generatedBy: .user) var id: String?

    // data fields
    @Field(key: "value") var value: String

    init() {}

    init(id: String, value: String) {
        self.id = id
        self.value = value
    }
}
