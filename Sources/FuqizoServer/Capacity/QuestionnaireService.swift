import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// An event's pre- and post-tests and its satisfaction survey, answered by participants through
/// personal single-use links without an account: mailed to those with an address, printed as
/// short codes for the others. Only the codes' digests are kept.
struct QuestionnaireService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    func test(of event: CapacityEvent, _ phase: LinkPurpose) async throws -> EventTest? {
        try await EventTest.query(on: database).filter(\.$event.$id == event.requireID()).filter(\.$phase == phase).first()
    }

    private func answered(_ event: CapacityEvent, _ purpose: LinkPurpose, on db: any Database) async throws -> Bool {
        try await ParticipantLink.query(on: db).filter(\.$event.$id == event.requireID()).filter(\.$purpose == purpose)
            .filter(\.$usedAt != nil).count() > 0
    }

    /// Writes a test; refused once someone has answered it, so every score counts the same questions.
    func saveTest(_ form: TestForm, phase: LinkPurpose, for event: CapacityEvent, actor: UUID) async throws -> Result<Void, FieldErrors> {
        guard phase.isTest else { throw AppError.notFound }
        switch form.validated() {
        case .failure(let errors): return .failure(errors)
        case .success(let test):
            let content = try StoredJSON.encode(test)
            try await database.writeTransaction { db in
                guard !(try await answered(event, phase, on: db)) else { throw AppError(status: .conflict, messageKey: "test.error.answered") }
                let row = try await EventTest.query(on: db).filter(\.$event.$id == event.requireID()).filter(\.$phase == phase).first() ?? EventTest()
                row.phase = phase
                row.content = content
                row.$event.id = try event.requireID()
                try await row.save(on: db)
                try await services.audit.record(.init("event.testSaved", target: ("event", try event.requireID().uuidString),
                                                      details: ["reference": event.reference, "phase": phase.rawValue]), actor: actor, at: now, on: db)
            }
            return .success(())
        }
    }

    struct Slip: Encodable {
        let name: String
        let code: String
        let mailed: Bool
    }

    /// A new link for everyone holding a place who has not answered yet (an older unused one
    /// stops working). Mailed to those with an address; every code is returned once, for the
    /// printed slips.
    func issue(_ purpose: LinkPurpose, for event: CapacityEvent, actor: UUID) async throws -> [Slip] {
        if purpose.isTest, try await test(of: event, purpose) == nil { throw AppError(status: .conflict, messageKey: "test.error.missing") }
        let catalog = services.catalog
        return try await database.writeTransaction { db -> [Slip] in
            let eventID = try event.requireID()
            let holding = try await EventRegistration.query(on: db).filter(\.$event.$id == eventID)
                .filter(\.$status ~~ [.registered, .attended]).with(\.$person).all()
            let existing = Dictionary(try await ParticipantLink.query(on: db).filter(\.$event.$id == eventID).filter(\.$purpose == purpose).all()
                .map { ($0.$registration.id, $0) }, uniquingKeysWith: { a, _ in a })
            var slips: [Slip] = []
            var generator = SystemRandomNumberGenerator()
            for registration in holding.sorted(by: { $0.person.name < $1.person.name }) {
                let registrationID = try registration.requireID()
                if existing[registrationID]?.usedAt != nil { continue }
                guard let code = Certificate.verificationCode(random: (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }) else { continue }
                let link = existing[registrationID] ?? ParticipantLink()
                link.purpose = purpose
                link.codeDigest = SecretToken.digest(code)
                link.$registration.id = registrationID
                link.$event.id = eventID
                try await link.save(on: db)
                if let email = registration.person.email {
                    let values = ["title": event.titleSq, "titleEn": event.titleEn, "reference": event.reference,
                                  "what": catalog.text(purpose.catalogKey, .sq), "whatEn": catalog.text(purpose.catalogKey, .en),
                                  "link": services.config.publicURL + SiteURL.answer(code: code).path, "code": code]
                    try await Outbox.enqueueInBothLanguages(to: email, mail: "mail.questionnaire", values: { _ in values }, catalog: catalog,
                                                            now: now, sealedBy: services.mailBox, on: db)
                }
                slips.append(Slip(name: registration.person.name, code: code, mailed: registration.person.email != nil))
            }
            try await services.audit.record(.init("event.linksIssued", target: ("event", eventID.uuidString),
                                                  details: ["reference": event.reference, "purpose": purpose.rawValue, "count": String(slips.count)]),
                                            actor: actor, at: now, on: db)
            return slips
        }
    }

    /// The link a code opens, with its event; nil for a code that is not one.
    func link(code typed: String) async throws -> ParticipantLink? {
        guard let code = Certificate.normalisedCode(String(typed.prefix(40))) else { return nil }
        return try await ParticipantLink.query(on: database).filter(\.$codeDigest == SecretToken.digest(code))
            .with(\.$event).first()
    }

    /// Records the answers and spends the link; a spent link is refused, even twice at once.
    func answer(_ link: ParticipantLink, form: AnswerForm) async throws -> Result<Void, FieldErrors> {
        var typedScore: Int?, typedAnswers: String?
        if link.purpose.isTest {
            guard let test = try await test(of: link.event, link.purpose)?.test() else { throw AppError.notFound }
            typedScore = test.percent(form.choices(for: test))
        } else {
            switch form.survey() {
            case .failure(let errors): return .failure(errors)
            case .success(let survey):
                typedAnswers = try StoredJSON.encode(survey)
            }
        }
        let (score, answers) = (typedScore, typedAnswers)
        try await database.writeTransaction { db in
            // Claimed by a conditional update: of two answers sent at once, one counts.
            guard let sql = db as? any SQLDatabase else { throw AppError.server }
            let claimed = try await sql.raw("""
                UPDATE participant_links SET used_at = \(bind: now), score = \(bind: score), answers = \(bind: answers)
                WHERE id = \(bind: try link.requireID()) AND used_at IS NULL RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw AppError(status: .conflict, messageKey: "questionnaire.error.used") }
            try await services.audit.record(.init("event.answered", target: ("event", link.$event.id.uuidString),
                                                  details: ["reference": link.event.reference, "purpose": link.purpose.rawValue]), actor: nil, at: now, on: db)
        }
        return .success(())
    }

    struct Summary {
        let pre: [UUID: Int]
        let post: [UUID: Int]
        let issued: [LinkPurpose: Int]
        let surveys: [AnswerForm.Survey]
    }

    /// What the event's participants answered.
    func summary(of event: CapacityEvent) async throws -> Summary {
        let links = try await ParticipantLink.query(on: database).filter(\.$event.$id == event.requireID()).all()
        func scores(_ purpose: LinkPurpose) -> [UUID: Int] {
            Dictionary(links.filter { $0.purpose == purpose }.compactMap { link in link.score.map { (link.$registration.id, $0) } }, uniquingKeysWith: { a, _ in a })
        }
        let surveys = try links.filter { $0.purpose == .survey }.compactMap(\.answers)
            .map { try StoredJSON.decode(AnswerForm.Survey.self, from: $0) }
        return Summary(pre: scores(.preTest), post: scores(.postTest),
                       issued: Dictionary(grouping: links, by: \.purpose).mapValues(\.count), surveys: surveys)
    }
}
