import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// A document attached to a record. The bytes live once in `stored_files` under their digest;
/// who may read them is decided by the record's own rules, in the controller that serves it.
final class Attachment: Model, @unchecked Sendable {
    static let schema = "attachments"

    enum Owner: String {
        case call
        case application
        case contract
        case report
        case visit
        /// A capacity-building event's agenda and materials, and its signed attendance sheets.
        case event
        /// A publication of the public library (`LibraryItem`).
        case publication
        /// The evidence of a value entered by hand for a manual indicator (`IndicatorValueEntry`).
        case indicatorValue
    }

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "owner_type") var ownerType: String
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "digest") var digest: String
    @Field(key: "filename") var filename: String
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int64
    /// What the document is, as the uploader named it (a call's documents: in Albanian and
    /// English, "sq|en").
    @Field(key: "label") var label: String
    @OptionalField(key: "category") var category: String?
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

/// Keeps and hands out uploaded documents.
struct DocumentStore {
    let database: any Database

    /// Most attachments one record may have.
    static let maximumPerOwner = 20
    /// Room for the form's other fields around an uploaded file.
    static let formSlack = 256 * 1024

    func attachments(of owner: Attachment.Owner, _ id: UUID) async throws -> [Attachment] {
        try await Attachment.query(on: database).filter(\.$ownerType == owner.rawValue).filter(\.$ownerID == id)
            .sort(\.$uploadedAt).all()
    }

    func find(_ attachmentID: UUID, of owner: Attachment.Owner, _ id: UUID) async throws -> Attachment {
        guard let attachment = try await Attachment.query(on: database).filter(\.$id == attachmentID)
            .filter(\.$ownerType == owner.rawValue).filter(\.$ownerID == id).first()
        else { throw AppError.notFound }
        return attachment
    }

    /// Stores a checked document and attaches it, inside the caller's transaction. The same
    /// bytes uploaded twice are stored once.
    static func attach(_ document: CheckedDocument, bytes: [UInt8], to owner: Attachment.Owner, _ id: UUID, label: String,
                       category: String? = nil, actor: UUID, at now: Date, on db: any Database) async throws -> Attachment {
        try await keep(digest: document.digest, bytes: bytes, at: now, on: db)
        let attachment = Attachment()
        attachment.ownerType = owner.rawValue
        attachment.ownerID = id
        attachment.digest = document.digest
        attachment.filename = document.filename
        attachment.kind = document.kind.rawValue
        attachment.size = Int64(document.size)
        attachment.label = label
        attachment.category = category
        attachment.uploadedBy = actor
        attachment.uploadedAt = now
        try await attachment.create(on: db)
        return attachment
    }

    /// Removes an attachment inside the caller's transaction, and its bytes when no other
    /// attachment refers to them: "removed" means removed, not kept unseen forever.
    static func detach(_ attachment: Attachment, on db: any Database) async throws {
        try await attachment.delete(on: db)
        try await forget(digest: attachment.digest, on: db)
    }

    /// Stores bytes under their digest, inside the caller's transaction; the same bytes kept
    /// twice are stored once.
    static func keep(digest: String, bytes: [UInt8], at now: Date, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        try await sql.raw("""
            INSERT INTO stored_files (digest, size, content, created_at)
            VALUES (\(bind: digest), \(bind: Int64(bytes.count)), \(bind: Data(bytes)), \(bind: now))
            ON CONFLICT (digest) DO UPDATE SET size = excluded.size
            """).run()
    }

    /// Removes the bytes under `digest` once no attachment or campaign evidence refers to them:
    /// "removed" means removed, not kept unseen forever.
    static func forget(digest: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        try await sql.raw("""
            DELETE FROM stored_files WHERE digest = \(bind: digest)
            AND NOT EXISTS (SELECT 1 FROM attachments WHERE digest = \(bind: digest))
            AND NOT EXISTS (SELECT 1 FROM campaign_evidence WHERE digest = \(bind: digest) OR reduced_digest = \(bind: digest))
            """).run()
    }

    /// The bytes stored under `digest`, or nil.
    static func content(digest: String, on db: any Database) async throws -> Data? {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("SELECT content FROM stored_files WHERE digest = \(bind: digest)").first()?.decode(column: "content", as: Data.self)
    }

    /// One attachment of one record, as a download; another record's attachment is not found.
    func download(_ attachmentID: UUID, of owner: Attachment.Owner, _ id: UUID) async throws -> Response {
        try await download(try await find(attachmentID, of: owner, id))
    }

    /// The file as a download: never shown inline, never cached by shared caches, its type
    /// the one its content was checked to be.
    func download(_ attachment: Attachment) async throws -> Response {
        guard let content = try await Self.content(digest: attachment.digest, on: database) else { throw AppError.notFound }
        let response = Response(status: .ok, body: .init(data: content))
        let kind = DocumentKind(rawValue: attachment.kind) ?? .legacyOffice
        response.headers.replaceOrAdd(name: .contentType, value: kind.mediaType)
        response.headers.replaceOrAdd(name: .contentDisposition, value: Self.disposition(attachment.filename))
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    /// `attachment` with an ASCII fallback name and the exact name in RFC 5987 form.
    static func disposition(_ filename: String) -> String {
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// Reads an upload from a multipart form and checks it.
    static func check(_ file: File?, limit: Int) -> Result<(CheckedDocument, [UInt8]), DocumentProblem> {
        guard let file else { return .failure(.empty) }
        var buffer = file.data
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        return DocumentCheck.check(filename: file.filename, bytes: bytes, maximumBytes: limit).map { ($0, bytes) }
    }
}

/// Size text for people: "2.4 MB", "830 KB".
enum FileSize {
    static func text(_ bytes: Int64) -> String {
        if bytes >= 1_000_000 { return String(format: "%.1f MB", Double(bytes) / 1_000_000) }
        return "\(max(1, (bytes + 999) / 1000)) KB"
    }
}

extension Route {
    private static let uploadKey = "fuqizo.uploadLimit"

    /// Lets this route receive a file of up to `bytes` (plus the form around it).
    @discardableResult
    func acceptsUploads(upTo bytes: Int) -> Route {
        userInfo[AnySendableHashable(stringLiteral: Self.uploadKey)] = bytes
        return self
    }

    var uploadLimit: Int? {
        userInfo[AnySendableHashable(stringLiteral: Self.uploadKey)] as? Int
    }
}

extension RoutesBuilder {
    /// A POST route receiving a file: the body is collected up to the upload limit plus room
    /// for the other fields; the handler checks the file itself against the limit, so a file a
    /// little too large comes back as a message on the form.
    @discardableResult
    func upload(_ path: PathComponent..., limit: Int, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.POST, path, body: .collect(maxSize: ByteCount(value: limit + DocumentStore.formSlack)), use: handler)
            .acceptsUploads(upTo: limit + DocumentStore.formSlack)
    }
}
