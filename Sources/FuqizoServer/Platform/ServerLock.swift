import Foundation
import Vapor

/// A lock on `fuqizo.lock` in the data directory. Every serving process holds it shared;
/// `fuqizo keys rotate` needs it alone, so it refuses to run under a live server (which would
/// go on sealing new secrets with the old key). The kernel drops the lock when the process
/// ends, however it ends.
final class ServerLock: Sendable {
    static let fileName = "fuqizo.lock"

    enum Failure: Error, CustomStringConvertible {
        case held(String)
        case unavailable(String)

        var description: String {
            switch self {
            case .held(let path):
                "\(path) is locked: a Fuqizo server is running with this data directory (stop it before rotating keys),"
                    + " or a key rotation is (let it finish before serving)."
            case .unavailable(let path): "Could not open the lock file \(path)."
            }
        }
    }

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Shared by serving processes; `exclusive` for work that must run alone.
    static func acquire(in dataDirectory: URL, exclusive: Bool) throws -> ServerLock {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = dataDirectory.appendingPathComponent(fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure.unavailable(path) }
        guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            close(descriptor)
            throw Failure.held(path)
        }
        return ServerLock(descriptor: descriptor)
    }

    deinit {
        close(descriptor)
    }
}

extension Application {
    private struct ServerLockKey: StorageKey {
        typealias Value = ServerLock
    }

    /// The shared lock of a serving process, kept for as long as the application lives.
    var serverLock: ServerLock? {
        get { storage[ServerLockKey.self] }
        set { storage[ServerLockKey.self] = newValue }
    }
}
