import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor

@Suite("Master key rotation")
struct KeyRotationTests {
    static func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-key-\(UUID().uuidString)")
    }

    @Test("rotation re-wraps survivors' data keys without touching their ciphertexts, re-seals second factors, keeps the duplicate check and ends sessions")
    func rotatesEverything() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register(firstName: "Xhuljeta", lastName: "Qendrimtare")
            try await desk.post(code, "notes", [("note", "Shënim para rrotullimit")])
            let erased = try await desk.register(firstName: "Besa", lastName: "Kodra")
            try await desk.post(erased, "erase", [("confirmed", "yes"), ("reason", "survivorAsked"), ("confirmCode", erased)])
            let before = try await desk.survivor(code)
            let secretBefore = try #require(try IdentityService(database: app.db, services: app.services, passwords: app.passwordHasher).totp(of: desk.user))
            let old = app.services.masterKey
            let next = MasterKey.generate()
            let output = Self.temporaryFile()
            defer { try? FileManager.default.removeItem(at: output) }

            let report = try await KeyRotation(app: app, output: output).rotate(to: next)

            #expect(report.survivorKeys == 1 && report.duplicateKeys == 1, "the erased survivor has no key to rotate")
            #expect(report.userSecrets == 1 && report.sessionsEnded == 1)
            #expect(try KeyStore.read(output).base64 == next.base64)
            let mode = try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "the new key is readable by this account only")

            let after = try await desk.survivor(code)
            #expect(after.firstNameSealed == before.firstNameSealed && after.lastNameSealed == before.lastNameSealed,
                    "the data is not re-encrypted")
            #expect(after.duplicateKey != before.duplicateKey, "the duplicate check is keyed by the new key")
            let wrapped = try #require(try await SurvivorKey.find(after.requireID(), on: app.db)).wrappedKey
            #expect(throws: SurvivorKeyWrapper.Failure.cannotUnwrap) { try SurvivorKeyWrapper(masterKey: old).unwrap(wrapped, survivor: after.id!) }
            await #expect(throws: ConfigError.self) { try await KeyStore.verify(old, on: app.db) }
            try await KeyStore.verify(next, on: app.db)
            let stale = try await desk.browser.get("/survivors/\(code)")
            #expect(stale.status == .seeOther && stale.location?.hasPrefix("/sign-in") == true, "sessions signed under the old key end")

            // The server started again with the new key reads everything as before.
            app.services = app.services.rekeyed(next)
            let identity = IdentityService(database: app.db, services: app.services, passwords: app.passwordHasher)
            #expect(try identity.totp(of: try #require(try await User.find(desk.user.id, on: app.db)))?.secret == secretBefore.secret)
            let again = try await desk.signedInAgain()
            try await again.browser.get("/survivors/\(code)")
            let revealed = try await again.browser.post("/survivors/\(code)/reveal")
            #expect(revealed.status == .ok)
            for value in ["Xhuljeta", "Qendrimtare", "Arta Interpretja"] {
                #expect(revealed.body.string.contains(value), "\(value) opens under the new key")
            }
            let notes = try await again.browser.post("/survivors/\(code)/reveal", [("section", "notes")])
            #expect(notes.body.string.contains("Shënim para rrotullimit"), "the note opens under the new key, on the notes section")
            try await again.browser.get("/survivors/new")
            let duplicate = try await again.browser.post("/survivors", CaseDesk.intake(firstName: "Xhuljeta", lastName: "Qendrimtare",
                                                                                        region: try await CaseDesk.region(app)))
            #expect(duplicate.status == .conflict && duplicate.body.string.contains(code), "intake still finds the existing record")

            #expect(try await AuditLog.verify(on: app.db, key: app.services.audit.key.key).isIntact)
            #expect(try await !AuditLog.verify(on: app.db, key: AppServices.auditKey(old).key).isIntact, "the chain is keyed by the new key now")
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "keys.rotated").first())
            #expect(entry.details.contains("survivorKeys=1"))
        }
    }

    @Test("a key kept in master.key is swapped for the new one and the old one retired; an interrupted rotation is finished by the next run")
    func keyFile() async throws {
        try await withFuqizo(["FUQIZO_MASTER_KEY": ""]) { app in
            let config = app.services.config
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register()
            let old = app.services.masterKey
            #expect(try KeyStore.read(KeyStore.keyFile(config)).base64 == old.base64)
            let next = MasterKey.generate()

            let report = try await KeyRotation(app: app, output: nil).rotate(to: next)

            let retired = try #require(report.retiredKeyFile)
            #expect(retired.lastPathComponent.hasPrefix("master.key.retired-"))
            #expect(try KeyStore.read(retired).base64 == old.base64, "backups made before need the old key")
            #expect(try KeyStore.loadMasterKey(config: config).base64 == next.base64, "a restart loads the new key")
            #expect(!FileManager.default.fileExists(atPath: KeyStore.keyFile(config).path + ".next"))

            // A rotation that stopped after the database moved, before the files were swapped.
            let pending = KeyStore.keyFile(config).appendingPathExtension("next")
            try FileManager.default.moveItem(at: KeyStore.keyFile(config), to: pending)
            try FileManager.default.moveItem(at: retired, to: KeyStore.keyFile(config))
            app.services = app.services.rekeyed(old)
            let finished = try await KeyRotation(app: app, output: nil).rotate()
            #expect(finished.finishedInterrupted && finished.survivorKeys == 0, "nothing is rotated twice")
            #expect(try KeyStore.loadMasterKey(config: config).base64 == next.base64)

            // A key left by a rotation that stopped before the database moved is never used.
            app.services = app.services.rekeyed(next)
            try KeyStore.store(MasterKey.generate(), inNewFile: pending)
            let third = MasterKey.generate()
            let rotated = try await KeyRotation(app: app, output: nil).rotate(to: third)
            #expect(!rotated.finishedInterrupted && rotated.survivorKeys == 1)
            #expect(try KeyStore.loadMasterKey(config: config).base64 == third.base64)
            app.services = app.services.rekeyed(third)
            let survivor = try await desk.survivor(code)
            let key = try await SurvivorService(database: app.db, services: app.services).dataKey(of: survivor.requireID(), on: app.db)
            #expect(try key.open(try #require(survivor.firstNameSealed), survivor: survivor.id!, field: "firstName") == "Drita")
        }
    }

    @Test("rotation refuses to run while a server holds the data directory, or when a sealed value does not open, and then changes nothing")
    func refusals() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            let first = try await desk.register()
            let second = try await desk.register(firstName: "Mira", lastName: "Hoxha")
            let old = app.services.masterKey
            let output = Self.temporaryFile()
            defer { try? FileManager.default.removeItem(at: output) }
            let rotation = KeyRotation(app: app, output: output)

            do {
                let server = try ServerLock.acquire(in: app.services.config.dataDirectory, exclusive: false)
                await #expect(throws: ServerLock.Failure.self) { try await rotation.rotate() }
                withExtendedLifetime(server) {}
            }

            let broken = try await desk.survivor(second).requireID()
            let wrapped = try #require(try await SurvivorKey.find(broken, on: app.db)).wrappedKey
            var tampered = wrapped
            tampered[tampered.count - 1] ^= 0x01
            try await SurvivorKey.query(on: app.db).filter(\.$id == broken).set(\.$wrappedKey, to: tampered).update()
            let intact = try #require(try await SurvivorKey.find(try await desk.survivor(first).requireID(), on: app.db)).wrappedKey
            await #expect(throws: SurvivorKeyWrapper.Failure.cannotUnwrap) { try await rotation.rotate() }

            #expect(try await KeyStore.matches(old, on: app.db), "the database stays under the old key")
            #expect(!FileManager.default.fileExists(atPath: output.path), "no new key is left to be mistaken for the right one")
            #expect(try await SurvivorKey.find(try await desk.survivor(first).requireID(), on: app.db)?.wrappedKey == intact)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "keys.rotated").count() == 0)
            // With the key in the environment the operator names where the new one goes.
            await #expect(throws: KeyRotation.Failure.self) { try await KeyRotation(app: app, output: nil).rotate() }
        }
    }

    @Test("on a shared PostgreSQL, a server that still has the old key seals no survivor's data key and no mail after the rotation",
          .enabled(if: TestFixtures.postgresURL != nil, "the advisory lock is PostgreSQL's; on SQLite the data directory's lock keeps servers out"))
    func serverElsewhereAfterRotation() async throws {
        try await withFuqizo { app in
            let desk = try await CaseDesk.make(app)
            _ = try await desk.register()
            let before = try await Survivor.query(on: app.db).count()
            let administrator = try await TestFixtures.user(app, grants: [RoleGrant(role: .administrator)])
            let output = Self.temporaryFile()
            defer { try? FileManager.default.removeItem(at: output) }
            // The rotation runs elsewhere; this app goes on with the old key, as a server on another machine would.
            _ = try await KeyRotation(app: app, output: output).rotate(to: MasterKey.generate())
            let fresh = try await desk.signedInAgain()
            try await fresh.browser.get("/survivors/new")
            let refused = try await fresh.browser.post("/survivors", CaseDesk.intake(firstName: "Mira", lastName: "Hoxha",
                                                                                      region: try await CaseDesk.region(app)))
            #expect(refused.status == .serviceUnavailable)
            #expect(try await Survivor.query(on: app.db).count() == before, "nothing sealed with the old key")

            // An invitation's mail (its link) would be sealed with the old key and never open.
            let admin = Browser(app, session: try await TestFixtures.session(app, for: administrator))
            try await admin.get("/admin/users/new")
            let (users, mails) = (try await User.query(on: app.db).count(), try await OutboxMessage.query(on: app.db).count())
            let invitation = try await admin.post("/admin/users", [("email", "person@fuqizo.test"), ("displayName", "Personi"),
                                                                   ("language", "sq"), ("roles[]", "evaluator")])
            #expect(invitation.status == .serviceUnavailable)
            #expect(try await User.query(on: app.db).count() == users, "the invitation is not written without its mail")
            #expect(try await OutboxMessage.query(on: app.db).count() == mails)
        }
    }
}
