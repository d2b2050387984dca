import Foundation
import FuqizoCore

/// Makes the smaller copy of a photo that the public pages serve: at most 1,200 pixels on its
/// longest side (a phone's screen at twice its density), so that a phone on a slow connection
/// in Kukës does not download a camera's 4,000-pixel original. The pixels are resampled by
/// libvips's `vipsthumbnail` (Debian's libvips-tools), run as a separate process on a file the
/// server has already checked and stripped: there is no image codec among the Swift packages
/// this project may use, and a separate process keeps a decoder's failure out of the server.
/// Without the program the server keeps no copy and serves the original (it says so at start).
struct PhotoReducer: Sendable {
    static let longestSide = 1200
    /// A photo that takes longer than this is left whole.
    static let timeout: TimeInterval = 30

    /// The program's path, or nil when the server has none.
    let executable: String?

    init(executable: String? = Self.locate()) {
        self.executable = executable
    }

    /// `vipsthumbnail` on the PATH (or the usual places), if any.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.map { $0 + "/vipsthumbnail" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The reduced copy, stripped of metadata like the original, or nil when there is no
    /// program, the photo is small enough already, or anything about the result is not right.
    func reduce(_ bytes: [UInt8], kind: ImageKind) async -> [UInt8]? {
        guard let executable else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-photo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let input = folder.appendingPathComponent("original.\(kind.rawValue)")
            let output = folder.appendingPathComponent("reduced.\(kind.rawValue)")
            try Data(bytes).write(to: input)
            // ">" shrinks only; "strip" writes no metadata; quality 80 is a web photo's usual.
            let options = kind == .png ? "[compression=9,strip]" : "[Q=80,strip]"
            guard await Self.run(executable, [input.path, "--size", "\(Self.longestSide)x\(Self.longestSide)>", "-o", output.path + options]) else { return nil }
            let made = [UInt8](try Data(contentsOf: output))
            // Checked again as any upload would be: the same kind, its metadata removed.
            guard let (madeKind, clean) = ImageMetadata.stripped(made), madeKind == kind, clean.count < bytes.count else { return nil }
            return clean
        } catch {
            return nil
        }
    }

    /// Runs the program without a shell; true when it ended well within the time allowed.
    private static func run(_ executable: String, _ arguments: [String]) async -> Bool {
        await withCheckedContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.terminationHandler = { ended in
                continuation.resume(returning: ended.terminationReason == .exit && ended.terminationStatus == 0)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: false)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { process.terminate() } }
        }
    }
}
