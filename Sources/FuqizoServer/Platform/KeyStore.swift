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
        let path = keyFile(config).path
        if !fileManager.fileExists(atPath: path) {
            let key = MasterKey.generate()
            try store(key, inNewFile: keyFile(config))
            return key
        }
        let attributes = try fileManager.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw ConfigError.masterKey("The master key file \(path) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        return try read(URL(fileURLWithPath: path))
    }

    /// `master.key` in the data directory.
    static func keyFile(_ config: AppConfig) -> URL {
        config.dataDirectory.appendingPathComponent(fileName)
    }

    static func read(_ file: URL) throws -> MasterKey {
        guard let text = String(data: try Data(contentsOf: file), encoding: .utf8), let key = MasterKey(base64: text) else {
            throw ConfigError.masterKey("The master key file \(file.path) is not a valid key.")
        }
        return key
    }

    /// Writes a key to a file that must not exist yet, readable by this account only, and
    /// flushed to the disk before returning: a key that is lost after the database moved to it
    /// loses every sealed secret.
    static func store(_ key: MasterKey, inNewFile file: URL) throws {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw ConfigError.masterKey("Could not create the key file \(file.path) (it must not exist yet).")
        }
        defer { close(descriptor) }
        let bytes = Array((key.base64 + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw ConfigError.masterKey("Could not write the key file \(file.path).")
        }
    }

    /// The first start stores the key's check value; every later start compares it, so a server
    /// given the wrong key stops before it writes anything no one could read.
    static func verify(_ key: MasterKey, on database: any Database) async throws {
        if let stored = try await SystemValue.find(checkName, on: database) {
            guard constantTimeEquals(stored.value, key.checkValue) else {
                throw ConfigError.masterKey("The master key does not match this database. Start with the key it was created with"
                                            + " (after an interrupted `fuqizo keys rotate`, run it again to finish).")
            }
        } else {
            try await SystemValue(id: checkName, value: key.checkValue).create(on: database)
        }
    }

    static let checkName = "master_key_check"

    /// Whether the database is still under this key; false once `fuqizo keys rotate` has
    /// moved it to another.
    static func matches(_ key: MasterKey, on database: any Database) async throws -> Bool {
        try await matches(check: key.checkValue, on: database)
    }

    static func matches(check: String, on database: any Database) async throws -> Bool {
        guard let stored = try await SystemValue.find(checkName, on: database) else { return false }
        return constantTimeEquals(stored.value, check)
    }

    /// Stores the new key's check value: the first write of a rotation.
    static func replaceCheck(with key: MasterKey, on database: any Database) async throws {
        try await SystemValue.query(on: database).filter(\.$id == checkName).set(\.$value, to: key.checkValue).update()
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

    /// Throws when the database cannot be reached: the health check's one query.
    static func ping(_ database: any Database) async throws {
        _ = try await SystemValue.query(on: database).count()
    }
}
