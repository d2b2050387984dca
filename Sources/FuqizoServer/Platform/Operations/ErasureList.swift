import Foundation
#if canImport(Glibc)
import Glibc
#endif
import FuqizoCore

/// The codes of survivor records whose identity was destroyed (erased on request or shredded
/// at the end of retention), one per line, in `erased-records.txt` beside the database.
///
/// A backup made before an erasure still holds that record's data key. The list lives outside
/// the database so that restoring such a backup does not bring the person back: every backup
/// carries the list as it was, and a restore destroys every listed identity again before the
/// server opens (`Restore`). It names codes only, which identify nobody.
struct ErasureList: Sendable {
    static let fileName = "erased-records.txt"

    let file: URL

    init(file: URL) {
        self.file = file
    }

    init(dataDirectory: URL) {
        self.init(file: dataDirectory.appendingPathComponent(Self.fileName))
    }

    /// Adds a code and flushes it to the disk before returning: it is written before the
    /// erasure commits, so a crash between the two leaves a code listed whose erasure was asked
    /// for (applied again at the next restore) rather than an erasure nothing remembers.
    func add(_ code: String) throws {
        guard SurvivorCode.isValid(code) else { return }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure.unwritable(file.path) }
        defer { close(descriptor) }
        let bytes = Array((code + "\n").utf8)
        guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw Failure.unwritable(file.path)
        }
    }

    /// The listed codes; none when there is no list yet. Lines that are not codes are skipped.
    func codes() throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        let text = try String(contentsOf: file, encoding: .utf8)
        return Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter(SurvivorCode.isValid))
    }

    /// Writes the codes, sorted, as a new file (a backup's copy).
    static func save(_ codes: Set<String>, to file: URL) throws {
        let text = codes.sorted().map { $0 + "\n" }.joined()
        try Data(text.utf8).write(to: file, options: [.withoutOverwriting])
    }

    enum Failure: Error, CustomStringConvertible {
        case unwritable(String)

        var description: String { "Could not write the list of erased records \(file)." }
        private var file: String { switch self { case .unwritable(let path): path } }
    }
}
