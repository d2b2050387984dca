import Foundation

/// `pg_dump` and `pg_restore`, run without a shell. The connection's settings go to them in
/// libpq's environment variables, never on the command line, where any account on the machine
/// could read the password.
struct PostgresTools: Sendable {
    let url: String
    let schema: String

    /// The program on the PATH (Debian's wrapper picks the newest installed version).
    static func locate(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A custom-format dump of the schema as the exported snapshot saw it.
    func dump(to file: URL, snapshot: String) async throws {
        try await run("pg_dump", ["--format=custom", "--schema=\(schema)", "--snapshot=\(snapshot)", "--no-owner",
                                  "--no-privileges", "--file=\(file.path)"])
    }

    /// Restores a dump in one transaction: it is all there or not at all.
    func restore(from file: URL) async throws {
        // The name alone: host, user and password stay in the environment.
        let database = environment["PGDATABASE"] ?? environment["PGUSER"] ?? "postgres"
        try await run("pg_restore", ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
                                     "--dbname=\(database)", file.path])
    }

    private var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        guard let parts = URLComponents(string: url) else { return environment }
        environment["PGHOST"] = parts.host
        environment["PGPORT"] = parts.port.map(String.init)
        environment["PGUSER"] = parts.user?.removingPercentEncoding
        environment["PGPASSWORD"] = parts.password?.removingPercentEncoding
        let database = parts.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        environment["PGDATABASE"] = database.isEmpty ? nil : database.removingPercentEncoding
        for item in parts.queryItems ?? [] where item.name == "sslmode" || item.name == "tlsmode" {
            environment["PGSSLMODE"] = item.value == "disable" ? "disable" : "require"
        }
        environment["PGCONNECT_TIMEOUT"] = "10"
        return environment
    }

    private func run(_ name: String, _ arguments: [String]) async throws {
        guard let executable = Self.locate(name) else {
            throw BackupFailure.program(name, "not installed (Debian: apt-get install postgresql-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let (status, output): (Int32, String) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                // Read before waiting: a full pipe would stop the program.
                let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, text))
            }
        }
        guard status == 0 else { throw BackupFailure.program(name, output) }
    }
}
