import Fluent
import Foundation
import FuqizoCore

/// The survivors' side of `fuqizo keys rotate`. Each data key is unwrapped with the old master
/// key and wrapped with the new one; the ciphertexts it protects are not touched. The keyed
/// duplicate-check values are recomputed under the new key from the names and birth date,
/// opened in memory only: without that, intake would stop finding existing records.
struct SurvivorKeyRotation: Sendable {
    let rewrapped: [(survivorID: UUID, wrappedKey: Data)]
    let duplicateKeys: [(survivorID: UUID, duplicateKey: String?)]

    /// Everything is computed before anything is written: a key that does not unwrap stops the
    /// rotation with the database as it was.
    static func prepare(on database: any Database, from old: MasterKey, to next: MasterKey) async throws -> SurvivorKeyRotation {
        let (oldWrapper, nextWrapper) = (SurvivorKeyWrapper(masterKey: old), SurvivorKeyWrapper(masterKey: next))
        var dataKeys: [UUID: SurvivorDataKey] = [:]
        var rewrapped: [(UUID, Data)] = []
        for row in try await SurvivorKey.query(on: database).all() {
            let id = try row.requireID()
            let dataKey = try oldWrapper.unwrap(row.wrappedKey, survivor: id)
            dataKeys[id] = dataKey
            rewrapped.append((id, try nextWrapper.wrap(dataKey, survivor: id)))
        }
        let listed = try await Survivor.query(on: database).filter(\.$duplicateKey != nil)
            .field(\.$id).field(\.$firstNameSealed).field(\.$lastNameSealed).field(\.$birthDateSealed).all()
        let duplicateKeys = try listed.map { survivor -> (UUID, String?) in
            let id = try survivor.requireID()
            guard let dataKey = dataKeys[id], let first = try survivor.opened(.firstName, with: dataKey),
                  let last = try survivor.opened(.lastName, with: dataKey),
                  let birth = try survivor.opened(.birthDate, with: dataKey).flatMap(LocalDate.init) else { return (id, nil) }
            return (id, DuplicateKey.make(firstName: first, lastName: last, birthDate: birth, masterKey: next))
        }
        return SurvivorKeyRotation(rewrapped: rewrapped, duplicateKeys: duplicateKeys)
    }

    func apply(on db: any Database) async throws {
        for (id, wrapped) in rewrapped {
            try await SurvivorKey.query(on: db).filter(\.$id == id).set(\.$wrappedKey, to: wrapped).update()
        }
        for (id, duplicateKey) in duplicateKeys {
            try await Survivor.query(on: db).filter(\.$id == id).set(\.$duplicateKey, to: duplicateKey).update()
        }
    }
}
