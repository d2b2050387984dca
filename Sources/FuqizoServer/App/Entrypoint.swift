import Foundation
import Logging
import Vapor

/// `fuqizo <command>`: serve (default), demo, audit verify, setup-link, migrate, routes.
public enum Fuqizo {
    public static func main() async throws {
        // Database files, keys and backups are for this account only.
        umask(0o077)
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment)
        let app = try await Application.make(environment)
        do {
            try await configure(app, config: AppConfig.fromEnvironment())
            try await app.execute()
        } catch let exit as ExitCode {
            try? await app.asyncShutdown()
            Foundation.exit(exit.code)
        } catch {
            // Configuration errors are written for the operator; nothing personal is in them.
            print("fuqizo: \(error)")
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
