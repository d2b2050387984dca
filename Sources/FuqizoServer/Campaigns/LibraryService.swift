import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// The public library: publications added with their file, listed for the public while not
/// withdrawn, withdrawn with a reason (the file removed, the record and audit kept).
struct LibraryService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    /// Most publications the library lists; a programme publishes a few dozen.
    static let maximumItems = 500

    func item(_ id: UUID) async throws -> LibraryItem {
        guard let item = try await LibraryItem.find(id, on: database) else { throw AppError.notFound }
        return item
    }

    /// Every publication for staff, withdrawn ones last.
    func all() async throws -> [(LibraryItem, Attachment?)] {
        let items = try await LibraryItem.query(on: database).sort(\.$year, .descending).sort(\.$addedAt, .descending).all()
        let files = try await files(of: items.compactMap(\.id))
        return items.sorted { ($0.withdrawnAt == nil ? 0 : 1) < ($1.withdrawnAt == nil ? 0 : 1) }.map { ($0, $0.id.flatMap { files[$0] }) }
    }

    /// What the public sees: publications not withdrawn, the newest first, with their files.
    func published() async throws -> [(LibraryItem, Attachment)] {
        let items = try await LibraryItem.query(on: database).filter(\.$withdrawnAt == nil)
            .sort(\.$year, .descending).sort(\.$addedAt, .descending).limit(Self.maximumItems).all()
        let files = try await files(of: items.compactMap(\.id))
        return items.compactMap { item in item.id.flatMap { files[$0] }.map { (item, $0) } }
    }

    private func files(of ids: [UUID]) async throws -> [UUID: Attachment] {
        guard !ids.isEmpty else { return [:] }
        let attachments = try await Attachment.query(on: database).filter(\.$ownerType == Attachment.Owner.publication.rawValue)
            .filter(\.$ownerID ~~ ids).all()
        return Dictionary(attachments.map { ($0.ownerID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Adds a publication with its checked file, audited.
    func add(_ form: LibraryForm, document: CheckedDocument, bytes: [UInt8], actor: UUID) async throws -> Result<LibraryItem, FieldErrors> {
        let value: LibraryForm.Publication
        switch form.validated(currentYear: TiranaTime.today(at: now).year) {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): value = valid
        }
        guard try await LibraryItem.query(on: database).count() < Self.maximumItems else {
            throw AppError(status: .conflict, messageKey: "library.error.tooMany")
        }
        let item = LibraryItem()
        (item.titleSq, item.titleEn, item.descriptionSq, item.descriptionEn) = (value.titleSq, value.titleEn, value.descriptionSq, value.descriptionEn)
        (item.kind, item.year, item.language, item.addedBy, item.addedAt) = (value.kind, value.year, value.language, actor, now)
        try await database.writeTransaction { db in
            try await item.create(on: db)
            _ = try await DocumentStore.attach(document, bytes: bytes, to: .publication, try item.requireID(), label: value.titleSq,
                                               actor: actor, at: now, on: db)
            try await services.audit.record(.init("library.added", target: ("publication", try item.requireID().uuidString),
                                                  details: ["kind": value.kind.rawValue, "year": String(value.year)]),
                                            actor: actor, at: now, on: db)
        }
        return .success(item)
    }

    /// Takes a publication off the public site for good: its file goes, its record stays.
    func withdraw(_ item: LibraryItem, reason: String, actor: UUID) async throws {
        guard item.withdrawnAt == nil else { throw AppError(status: .conflict, messageKey: "library.error.withdrawn") }
        let id = try item.requireID()
        try await database.writeTransaction { db in
            // Conditional, so that two people withdrawing at once record it once.
            try await LibraryItem.query(on: db).filter(\.$id == id).filter(\.$withdrawnAt == nil)
                .set(\.$withdrawnAt, to: now).set(\.$withdrawnReason, to: reason).update()
            for attachment in try await Attachment.query(on: db).filter(\.$ownerType == Attachment.Owner.publication.rawValue)
                .filter(\.$ownerID == id).all() {
                try await DocumentStore.detach(attachment, on: db)
            }
            try await services.audit.record(.init("library.withdrawn", target: ("publication", id.uuidString), details: ["reason": reason]),
                                            actor: actor, at: now, on: db)
        }
    }

    /// A publication's file for the public: only while it is not withdrawn.
    func publicFile(_ id: UUID) async throws -> Attachment? {
        guard let item = try await LibraryItem.find(id, on: database), item.withdrawnAt == nil else { return nil }
        return try await files(of: [id])[id]
    }
}
