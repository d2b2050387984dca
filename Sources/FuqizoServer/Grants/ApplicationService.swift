import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// Applications to calls: started and written by CSO users, submitted with a receipt, then
/// read by the grants side.
struct ApplicationService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    /// The stage a call's applications begin at.
    static func firstStage(of call: GrantCall) -> ApplicationStage {
        call.stages == .two ? .concept : .full
    }

    /// When submissions at a stage close.
    static func deadline(of call: GrantCall, for stage: ApplicationStage) -> Date {
        stage == .concept ? (call.conceptDeadline ?? call.fullDeadline) : call.fullDeadline
    }


    /// Published calls that still take new applications.
    func openCalls() async throws -> [GrantCall] {
        let now = self.now
        return try await GrantCall.query(on: database).filter(\.$status == CallStatus.published)
            .filter(\.$fullDeadline > now).with(\.$lots).sort(\.$fullDeadline).all()
            .filter { Self.deadline(of: $0, for: Self.firstStage(of: $0)) > now }
    }

    /// Every application of these organisations, newest first.
    func applications(of organisations: Set<UUID>) async throws -> [GrantApplication] {
        guard !organisations.isEmpty else { return [] }
        return try await GrantApplication.query(on: database).filter(\.$organisation.$id ~~ Array(organisations))
            .with(\.$call).with(\.$lot).with(\.$organisation).sort(\.$createdAt, .descending).all()
    }

    static let pageSize = 50

    /// One line of the grants side's list: only what the list shows.
    struct SubmittedPage {
        let rows: [ApplicationSummary]
        let pager: Pager
    }

    /// A call's applications as the grants side sees them: submitted ones only (drafts belong
    /// to the CSO until it submits), optionally of one lot or status, a page at a time. Plain
    /// SQL: officers page through hundreds of these.
    func submitted(toCall callID: UUID, lot: UUID? = nil, status: ApplicationStatus? = nil, page: Int? = nil) async throws -> SubmittedPage {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        var conditions: [any SQLExpression] = [
            SQLBinaryExpression(SQLColumn("call_id", table: "a"), .equal, SQLBind(callID)),
            SQLBinaryExpression(SQLColumn("reference", table: "a"), .isNot, SQLLiteral.null),
        ]
        if let lot { conditions.append(SQLBinaryExpression(SQLColumn("lot_id", table: "a"), .equal, SQLBind(lot))) }
        if let status { conditions.append(SQLBinaryExpression(SQLColumn("status", table: "a"), .equal, SQLBind(status.rawValue))) }
        let filter = SQLList(conditions, separator: SQLRaw(" AND "))
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM grant_applications a WHERE \(filter)").first()?
            .decode(column: "n", as: Int.self) ?? 0
        let pager = Pager(requested: page, total: total, pageSize: Self.pageSize)
        let rows = try await sql.raw("""
            \(ApplicationSummary.select)
            WHERE \(filter)
            ORDER BY a.reference
            LIMIT \(literal: Self.pageSize) OFFSET \(literal: pager.offset)
            """).all(decoding: ApplicationSummary.self, keyDecodingStrategy: .convertFromSnakeCase)
        return SubmittedPage(rows: rows, pager: pager)
    }

    func find(_ id: UUID) async throws -> GrantApplication {
        let found = try await GrantApplication.query(on: database).filter(\.$id == id)
            .with(\.$call, { $0.with(\.$lots) }).with(\.$lot).with(\.$organisation).first()
        guard let found else { throw AppError.notFound }
        return found
    }

    /// Starts an application of an organisation to a lot, or returns the one it already has:
    /// a CSO applies once per lot.
    func start(callID: UUID, lotID: UUID, organisationID: UUID, language: Language, actor: UUID) async throws -> UUID {
        let call = try await CallService(database: database, services: services).find(callID)
        guard call.status.isOpen, call.lots.contains(where: { $0.id == lotID }) else { throw AppError.notFound }
        if let existing = try await GrantApplication.query(on: database).filter(\.$call.$id == callID)
            .filter(\.$lot.$id == lotID).filter(\.$organisation.$id == organisationID).first() {
            return try existing.requireID()
        }
        let stage = Self.firstStage(of: call)
        guard Self.deadline(of: call, for: stage) > now else { throw AppError(status: .conflict, messageKey: "application.error.late") }
        let application = GrantApplication()
        application.$call.id = callID
        application.$lot.id = lotID
        application.$organisation.id = organisationID
        application.stage = stage
        application.status = .draft
        application.language = language.rawValue
        application.requestedMinorUnits = 0
        application.revision = 1
        application.updatedBy = actor
        try application.setContent(ApplicationContent(), for: stage)
        let now = self.now
        try await database.writeTransaction { db in
            try await application.create(on: db)
            try await services.audit.record(.init("application.started", target: ("application", try application.requireID().uuidString),
                                            details: ["call": call.reference, "organisation": organisationID.uuidString]),
                                      actor: actor, at: now, on: db)
        }
        return try application.requireID()
    }

    enum SaveProblem: Error {
        /// Someone else saved since this form was loaded; carries the revision they made.
        case changedMeanwhile(revision: Int)
        /// Submitted applications are read-only.
        case notEditable
    }

    /// Saves the draft of the current stage. A form loaded at an older revision is not saved
    /// over a newer one: the person is shown the conflict with their text kept.
    func save(_ application: GrantApplication, content: ApplicationContent, revision: Int, actor: UUID) async throws -> Result<Int, SaveProblem> {
        guard application.status.allows(.edit) else { return .failure(.notEditable) }
        guard revision == application.revision else { return .failure(.changedMeanwhile(revision: application.revision)) }
        try application.setContent(content, for: application.stage)
        application.requestedMinorUnits = Money(parsing: content.requested, currency: application.call.currency)?.minorUnits ?? 0
        application.revision += 1
        application.updatedBy = actor
        // The revision is compared again in the database, so of two saves racing from the same
        // revision exactly one wins.
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let saved = try await sql.raw("""
            UPDATE grant_applications
            SET concept_content = \(bind: application.conceptContent), full_content = \(bind: application.fullContent),
                requested_minor_units = \(bind: application.requestedMinorUnits), revision = \(bind: application.revision),
                updated_by = \(bind: actor), updated_at = \(bind: now)
            WHERE id = \(bind: try application.requireID()) AND revision = \(bind: revision) AND status = \(bind: ApplicationStatus.draft.rawValue)
            RETURNING revision
            """).first()
        guard saved != nil else {
            let current = try await GrantApplication.find(application.requireID(), on: database)
            guard current?.status.allows(.edit) == true else { return .failure(.notEditable) }
            return .failure(.changedMeanwhile(revision: current?.revision ?? revision))
        }
        return .success(application.revision)
    }

    struct Receipt {
        let reference: String
        let submittedAt: Date
        let digest: String
    }

    enum SubmitProblem: Error {
        case checklist(FieldErrors)
        case late
        case save(SaveProblem)
    }

    /// Saves and submits the current stage: the checklist must pass and the deadline must not
    /// have passed. The application gets its reference (at its first submission), the content
    /// its digest, and the submitter a receipt by mail (when given an address).
    func submit(_ application: GrantApplication, content: ApplicationContent, revision: Int, actor: UUID,
                mailTo email: String?) async throws -> Result<Receipt, SubmitProblem> {
        let call = application.call
        let stage = application.stage
        let submittedAt = now
        guard submittedAt < Self.deadline(of: call, for: stage) else {
            // What they typed is kept even though it can no longer be submitted.
            _ = try await save(application, content: content, revision: revision, actor: actor)
            return .failure(.late)
        }
        let problems = content.problems(stage: stage, rules: try call.grantRules(), currency: call.currency)
        switch try await save(application, content: content, revision: revision, actor: actor) {
        case .failure(let problem): return .failure(.save(problem))
        case .success: break
        }
        guard problems.isEmpty else { return .failure(.checklist(problems)) }
        let attached = try await DocumentStore(database: database).attachments(of: .application, application.requireID())
        let digest = content.contentDigest(attachments: attached.map { AttachedDocument(label: $0.label, digest: $0.digest) })
        let language = Language(rawValue: application.language) ?? .sq
        let catalog = services.catalog
        let receipt = try await database.writeTransaction { db -> Receipt in
            // Only a draft at the revision just saved is submitted, once.
            guard let row = try await GrantApplication.query(on: db).filter(\.$id == application.requireID())
                .filter(\.$status == .draft).filter(\.$revision == application.revision).first()
            else { throw AppError(status: .conflict, messageKey: "application.error.changedMeanwhile") }
            if row.reference == nil {
                let number = try await ReferenceCounter.next("application:\(call.reference)", on: db)
                row.reference = GrantReference.application(callReference: call.reference, number: number)
            }
            row.status = try row.status.transition(.submit)
            if stage == .concept {
                row.conceptSubmittedAt = submittedAt
                row.conceptDigest = digest
            } else {
                row.fullSubmittedAt = submittedAt
                row.fullDigest = digest
            }
            try await row.save(on: db)
            let reference = row.reference ?? ""
            try await services.audit.record(.init("application.submitted", target: ("application", try row.requireID().uuidString),
                                            details: ["reference": reference, "stage": stage.rawValue, "digest": digest]),
                                      actor: actor, at: submittedAt, on: db)
            // The demo loader submits for CSOs without users: no receipt to mail then.
            guard let email else { return Receipt(reference: reference, submittedAt: submittedAt, digest: digest) }
            try await Outbox.enqueue(
                to: email,
                subject: catalog.format("mail.receipt.subject", language, ["reference": reference]),
                body: catalog.format("mail.receipt.body", language, [
                    "reference": reference, "call": call.reference, "stage": catalog.text(stage.catalogKey, language),
                    "time": Display.timestamp(submittedAt), "digest": digest,
                ]),
                now: submittedAt, sealedBy: services.mailBox, on: db)
            return Receipt(reference: reference, submittedAt: submittedAt, digest: digest)
        }
        application.reference = receipt.reference
        application.status = try application.status.transition(.submit)
        return .success(receipt)
    }

    // MARK: attachments

    static let maximumLabelLength = 200

    /// Attaches a document to a draft: a label, a PDF or office file within the size limit.
    func attach(_ application: GrantApplication, label text: String, file: File?, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try application.status.transition(.edit)
        let id = try application.requireID()
        var errors = FieldErrors()
        let label = Text.clean(text)
        if label == nil { errors.add("label", "form.error.required") }
        if (label?.count ?? 0) > Self.maximumLabelLength { errors.add("label", "form.error.tooLong") }
        let store = DocumentStore(database: database)
        if try await store.attachments(of: .application, id).count >= DocumentStore.maximumPerOwner {
            errors.add("file", "document.error.tooMany")
        }
        var checked: (CheckedDocument, [UInt8])?
        switch DocumentStore.check(file, limit: services.config.maxUploadBytes) {
        case .failure(let problem): errors.add("file", problem.catalogKey)
        case .success(let document): checked = document
        }
        guard errors.isEmpty, let label, let (document, bytes) = checked else { return .failure(errors) }
        let now = self.now
        try await database.writeTransaction { db in
            let attachment = try await DocumentStore.attach(document, bytes: bytes, to: .application, id, label: label, actor: actor, at: now, on: db)
            try await services.audit.record(.init("application.attachmentAdded", target: ("application", id.uuidString),
                                            details: ["attachment": try attachment.requireID().uuidString, "digest": document.digest,
                                                      "kind": document.kind.rawValue]),
                                      actor: actor, at: now, on: db)
        }
        return .success(())
    }

    func detach(_ application: GrantApplication, attachmentID: UUID, actor: UUID) async throws {
        _ = try application.status.transition(.edit)
        let id = try application.requireID()
        let attachment = try await DocumentStore(database: database).find(attachmentID, of: .application, id)
        let now = self.now
        try await database.writeTransaction { db in
            try await DocumentStore.detach(attachment, on: db)
            try await services.audit.record(.init("application.attachmentRemoved", target: ("application", id.uuidString),
                                            details: ["attachment": attachmentID.uuidString, "digest": attachment.digest]),
                                      actor: actor, at: now, on: db)
        }
    }
}
