import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Calls for proposals: drafted and published by the grants side, read by everyone once published.
struct CallService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    func all() async throws -> [GrantCall] {
        try await GrantCall.query(on: database).with(\.$lots).sort(\.$createdAt, .descending).all()
    }

    func published() async throws -> [GrantCall] {
        try await GrantCall.query(on: database).filter(\.$status != CallStatus.draft)
            .with(\.$lots).sort(\.$fullDeadline, .descending).all()
    }

    func find(_ id: UUID) async throws -> GrantCall {
        guard let call = try await GrantCall.query(on: database).filter(\.$id == id)
            .with(\.$lots).first()
        else { throw AppError.notFound }
        return call
    }

    /// Creates a call, or edits one still in draft. Once published, a call's rules and grids
    /// are frozen: applicants rely on them.
    func save(_ form: CallForm, id: UUID?, actor: UUID) async throws -> Result<UUID, FieldErrors> {
        let draft: CallDraft
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let valid): draft = valid
        }
        var found: GrantCall?
        if let id {
            found = try await find(id)
            _ = try found?.status.transition(.edit)
        }
        var duplicate = GrantCall.query(on: database).filter(\.$reference == draft.reference)
        if let id { duplicate = duplicate.filter(\.$id != id) }
        if try await duplicate.first() != nil {
            var errors = FieldErrors()
            errors.add("reference", "call.error.referenceTaken")
            return .failure(errors)
        }
        let existing = found
        let call = existing ?? GrantCall()
        call.reference = draft.reference
        call.titleSq = draft.titleSq
        call.titleEn = draft.titleEn
        call.summarySq = draft.summarySq
        call.summaryEn = draft.summaryEn
        call.stages = draft.stages
        call.status = existing?.status ?? .draft
        call.currency = draft.currency
        call.rules = try StoredJSON.encode(draft.rules)
        call.divergenceBasisPoints = draft.divergenceBasisPoints
        call.blindReview = draft.blindReview
        call.evaluatorsPerApplication = draft.evaluatorsPerApplication
        call.letterDays = draft.letterDays
        call.evaluationDays = draft.evaluationDays
        call.eligibleApplicants = try StoredJSON.encode(draft.eligibleApplicants)
        call.eligibleActivities = try StoredJSON.encode(draft.eligibleActivities)
        call.eligibleApplicantsEn = try StoredJSON.encode(draft.eligibleApplicantsEn)
        call.eligibleActivitiesEn = try StoredJSON.encode(draft.eligibleActivitiesEn)
        call.questionsDeadline = draft.questionsDeadline
        call.conceptDeadline = draft.conceptDeadline
        call.fullDeadline = draft.fullDeadline
        if existing == nil {
            call.conceptGrid = try StoredJSON.encode(EvaluationGrid.conceptNote)
            call.fullGrid = try StoredJSON.encode(EvaluationGrid.fullApplication)
        }
        let lots = draft.lots
        let now = self.now
        let savedID = try await database.writeTransaction { db -> UUID in
            try await call.save(on: db)
            let callID = try call.requireID()
            try await CallLot.query(on: db).filter(\.$call.$id == callID).delete()
            for (position, lot) in lots.enumerated() {
                let row = CallLot()
                row.$call.id = callID
                row.$region.id = lot.regionID
                row.position = position + 1
                row.nameSq = lot.nameSq
                row.nameEn = lot.nameEn
                row.envelopeMinorUnits = lot.envelopeMinorUnits
                try await row.create(on: db)
            }
            try await services.audit.record(.init(existing == nil ? "call.created" : "call.updated", target: ("call", callID.uuidString),
                                            details: ["reference": draft.reference, "lots": String(lots.count)]),
                                      actor: actor, at: now, on: db)
            return callID
        }
        return .success(savedID)
    }

    /// Opens a draft call to applicants: it appears on the public site and its grids freeze.
    func publish(_ id: UUID, actor: UUID) async throws {
        let call = try await find(id)
        let published = try call.status.transition(.publish)
        guard call.fullDeadline > now else { throw AppError(status: .conflict, messageKey: "call.error.deadlinePassed") }
        let now = self.now
        try await database.writeTransaction { db in
            call.status = published
            call.publishedAt = now
            try await call.save(on: db)
            try await services.audit.record(.init("call.published", target: ("call", id.uuidString), details: ["reference": call.reference]),
                                      actor: actor, at: now, on: db)
        }
    }

    // MARK: grids

    enum GridStage: String, Sendable {
        case concept
        case full
    }

    func grid(of call: GrantCall, _ stage: GridStage) throws -> EvaluationGrid {
        try StoredJSON.decode(EvaluationGrid.self, from: stage == .concept ? call.conceptGrid : call.fullGrid)
    }

    /// Edits a grid while the call is a draft. The full application's relevance section is the
    /// concept note's, so editing the concept grid updates it too.
    func updateGrid(callID: UUID, stage: GridStage, form: GridForm, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let call = try await find(callID)
        _ = try call.status.transition(.edit)
        let updated: EvaluationGrid
        switch form.validated(onto: try grid(of: call, stage)) {
        case .failure(let errors): return .failure(errors)
        case .success(let grid): updated = grid
        }
        if stage == .concept {
            var full = try grid(of: call, .full)
            for index in full.sections.indices where full.sections[index].carriedOver {
                if let source = updated.sections.first(where: { $0.code == full.sections[index].code }) {
                    full.sections[index].criteria = source.criteria
                }
            }
            call.fullGrid = try StoredJSON.encode(full)
            call.conceptGrid = try StoredJSON.encode(updated)
        } else {
            call.fullGrid = try StoredJSON.encode(updated)
        }
        let now = self.now
        try await database.writeTransaction { db in
            try await call.save(on: db)
            try await services.audit.record(.init("call.gridUpdated", target: ("call", callID.uuidString), details: ["grid": stage.rawValue]),
                                      actor: actor, at: now, on: db)
        }
        return .success(())
    }

    // MARK: questions and answers

    static let maximumQuestionLength = 2000

    /// A CSO user's question, accepted until the questions deadline.
    func ask(callID: UUID, question text: String, organisationID: UUID?, actor: UUID) async throws -> Result<Void, FieldErrors> {
        let call = try await find(callID)
        guard call.status.isOpen else { throw AppError.notFound }
        var errors = FieldErrors()
        let question = Text.clean(text)
        if question == nil { errors.add("question", "form.error.required") }
        if (question?.count ?? 0) > Self.maximumQuestionLength { errors.add("question", "form.error.tooLong") }
        if now >= call.questionsDeadline { errors.add("question", "call.question.error.late") }
        guard errors.isEmpty, let question else { return .failure(errors) }
        let now = self.now
        try await database.writeTransaction { db in
            let row = CallQuestion()
            row.$call.id = callID
            row.$organisation.id = organisationID
            row.question = question
            row.askedAt = now
            try await row.create(on: db)
            try await services.audit.record(.init("call.questionAsked", target: ("call", callID.uuidString),
                                            details: ["question": try row.requireID().uuidString]), actor: actor, at: now, on: db)
        }
        return .success(())
    }

    func questions(callID: UUID, publishedOnly: Bool) async throws -> [CallQuestion] {
        var query = CallQuestion.query(on: database).filter(\.$call.$id == callID)
        if publishedOnly { query = query.filter(\.$publishedAt != nil) }
        return try await query.sort(\.$askedAt).all()
    }

    /// Answers a question and publishes it, with its answer, to everyone.
    func answer(questionID: UUID, callID: UUID, question text: String, answer answerText: String, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard let row = try await CallQuestion.find(questionID, on: database), row.$call.id == callID else { throw AppError.notFound }
        var errors = FieldErrors()
        // The officer may reword the question so that it names nobody.
        let question = Text.clean(text), answer = Text.clean(answerText)
        if question == nil { errors.add("question", "form.error.required") }
        if answer == nil { errors.add("answer", "form.error.required") }
        guard errors.isEmpty, let question, let answer else { return .failure(errors) }
        let now = self.now
        try await database.writeTransaction { db in
            row.question = question
            row.answer = answer
            row.publishedAt = row.publishedAt ?? now
            try await row.save(on: db)
            try await services.audit.record(.init("call.questionAnswered", target: ("call", callID.uuidString),
                                            details: ["question": questionID.uuidString]), actor: actor, at: now, on: db)
        }
        return .success(())
    }

    // MARK: documents

    enum DocumentCategory: String, CaseIterable {
        case guidelines, annex, corrigendum

        var catalogKey: String { "call.document.\(rawValue)" }
    }

    /// Adds a document (guidelines, an annex, a corrigendum) to a call. Documents can be added
    /// after publication too: a corrigendum is how PRAG changes a published call.
    func addDocument(callID: UUID, title text: String, category: String, file: File?, actor: UUID) async throws -> Result<Void, FieldErrors> {
        _ = try await find(callID)
        var errors = FieldErrors()
        let title = Text.clean(text)
        if title == nil { errors.add("title", "form.error.required") }
        if (title?.count ?? 0) > ApplicationService.maximumLabelLength { errors.add("title", "form.error.tooLong") }
        let kind = DocumentCategory(rawValue: category)
        if kind == nil { errors.add("category", "form.error.choose") }
        if try await DocumentStore(database: database).attachments(of: .call, callID).count >= DocumentStore.maximumPerOwner {
            errors.add("file", "document.error.tooMany")
        }
        var checked: (CheckedDocument, [UInt8])?
        switch DocumentStore.check(file, limit: services.config.maxUploadBytes) {
        case .failure(let problem): errors.add("file", problem.catalogKey)
        case .success(let document): checked = document
        }
        guard errors.isEmpty, let title, let kind, let (document, bytes) = checked else { return .failure(errors) }
        let now = self.now
        try await database.writeTransaction { db in
            let attachment = try await DocumentStore.attach(document, bytes: bytes, to: .call, callID, label: title, category: kind.rawValue,
                                                            actor: actor, at: now, on: db)
            try await services.audit.record(.init("call.documentAdded", target: ("call", callID.uuidString),
                                            details: ["document": try attachment.requireID().uuidString, "digest": document.digest,
                                                      "category": kind.rawValue]),
                                      actor: actor, at: now, on: db)
        }
        return .success(())
    }

    /// Removes a document from a draft call; a published call's documents stay (applicants
    /// may have relied on them), and are changed by a corrigendum instead.
    func removeDocument(callID: UUID, documentID: UUID, actor: UUID) async throws {
        let call = try await find(callID)
        _ = try call.status.transition(.removeDocument)
        let attachment = try await DocumentStore(database: database).find(documentID, of: .call, callID)
        let now = self.now
        try await database.writeTransaction { db in
            try await DocumentStore.detach(attachment, on: db)
            try await services.audit.record(.init("call.documentRemoved", target: ("call", callID.uuidString),
                                            details: ["document": documentID.uuidString, "digest": attachment.digest]),
                                      actor: actor, at: now, on: db)
        }
    }

    static func form(from call: GrantCall) throws -> CallForm {
        var form = CallForm()
        let rules = try call.grantRules()
        form.reference = call.reference
        form.titleSq = call.titleSq
        form.titleEn = call.titleEn
        form.summarySq = call.summarySq
        form.summaryEn = call.summaryEn
        form.stages = call.stages.rawValue
        form.currency = call.currency
        form.minimumGrant = String(rules.minimumGrantMinorUnits / 100)
        form.maximumGrant = String(rules.maximumGrantMinorUnits / 100)
        form.maximumGrantShare = String(rules.maximumGrantShareBasisPoints / 100)
        form.maximumIndirect = String(rules.maximumIndirectBasisPoints / 100)
        form.divergence = String(call.divergenceBasisPoints / 100)
        form.blindReview = call.blindReview ? "yes" : ""
        form.evaluatorsPerApplication = String(call.evaluatorsPerApplication)
        form.letterDays = String(call.letterDays)
        form.evaluationDays = String(call.evaluationDays)
        let contract = rules.contract
        form.preFinancing = String(contract.preFinancingBasisPoints / 100)
        form.furtherTrancheSpent = String(contract.furtherTrancheSpentBasisPoints / 100)
        form.preFinancingCap = String(contract.preFinancingCapBasisPoints / 100)
        form.periodMonths = String(contract.periodMonths)
        form.interimReportDays = String(contract.interimReportDays)
        form.finalReportDays = String(contract.finalReportDays)
        form.transferWithoutAmendment = String(contract.transferWithoutAmendmentBasisPoints / 100)
        form.reminderDaysBefore = String(contract.reminderDaysBefore)
        form.eligibleApplicants = ((try? StoredJSON.decode([String].self, from: call.eligibleApplicants)) ?? []).joined(separator: "\n")
        form.eligibleActivities = ((try? StoredJSON.decode([String].self, from: call.eligibleActivities)) ?? []).joined(separator: "\n")
        form.eligibleApplicantsEn = ((try? StoredJSON.decode([String].self, from: call.eligibleApplicantsEn)) ?? []).joined(separator: "\n")
        form.eligibleActivitiesEn = ((try? StoredJSON.decode([String].self, from: call.eligibleActivitiesEn)) ?? []).joined(separator: "\n")
        (form.questionsDate, form.questionsTime) = TiranaTime.parts(of: call.questionsDeadline)
        if let concept = call.conceptDeadline { (form.conceptDate, form.conceptTime) = TiranaTime.parts(of: concept) }
        (form.fullDate, form.fullTime) = TiranaTime.parts(of: call.fullDeadline)
        form.lots = call.lots.sorted { $0.position < $1.position }.map {
            LotForm(regionID: $0.$region.id?.uuidString ?? "", nameSq: $0.nameSq, nameEn: $0.nameEn,
                    envelope: String($0.envelopeMinorUnits / 100))
        }
        return form
    }
}
