import Foundation
import FuqizoCore
import Vapor

/// The public pages of published calls, and a CSO's question about one.
struct PublicCallsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("calls", use: publicList).access(.viewPublic)
        routes.get("calls", ":callID", use: publicShow).access(.viewPublic)
        routes.get("calls", ":callID", "documents", ":documentID", use: publicDocument).access(.viewPublic)
        routes.post("calls", ":callID", "questions", use: ask).access(.askCallQuestion)
    }

    private func service(_ req: Request) -> CallService {
        CallService(database: req.db, services: req.services)
    }

    func publicList(req: Request) async throws -> View {
        let rows = try await service(req).published().map { call in
            let facts = try CallContext.facts(call, req)
            return CallsController.ListRow(id: facts.id, reference: facts.reference, title: facts.title,
                           statusKey: facts.isOpen ? "call.public.open" : "call.public.closed", fullDeadline: facts.fullDeadline,
                           lots: call.lots.count)
        }
        return try await req.page("grants/public-calls", title: "call.public.title", ["rows": rows])
    }

    func publicShow(req: Request) async throws -> Response {
        try await renderPublic(req, id: try req.id("callID"))
    }

    private func renderPublic(_ req: Request, id: UUID, question: String = "", errors: FieldErrors = .init(),
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await service(req).find(id)
        // Drafts do not exist for the public.
        guard call.status.isPublic else { throw AppError.notFound }
        var facts = try CallContext.facts(call, req)
        facts.documents = try await CallContext.documents(req, callID: id, base: SiteURL.publicCallDocuments(id).path)
        facts.questions = try await service(req).questions(callID: id, publishedOnly: true).map {
            CallContext.QuestionLine(id: $0.id!.uuidString, question: $0.question, answer: $0.answer,
                         askedAt: Display.dateTime($0.publishedAt), fields: [])
        }
        // The form shows while questions are accepted, and with its error when one came too late.
        if Policy.decide(req.actor, .askCallQuestion).isAllowed, call.questionsDeadline > req.now || !errors.isEmpty {
            facts.askFields = [FieldContext("question", label: "call.question.field", kind: "textarea", value: question,
                                            errors: errors, required: true, hint: "call.question.hint")]
        }
        if facts.isOpen {
            let start = SiteURL.applications.with([("call", id.uuidString)])
            if !req.actor.isSignedIn {
                facts.applyHref = SiteURL.signIn.with([("next", start)])
                facts.applySignIn = true
            } else if Policy.decide(req.actor, .applyForGrants).isAllowed {
                facts.applyHref = start + "#call-\(id.uuidString)"
            }
        }
        return try await req.page("grants/public-call", title: "call.public.detail", facts, status: status)
    }

    struct QuestionForm: Content {
        var question: String?
        var answer: String?
    }

    func ask(req: Request) async throws -> Response {
        let id = try req.id("callID")
        let form = try req.form(QuestionForm.self)
        let signedIn = try req.requireSignedIn()
        let organisation = signedIn.actor.grants.first { $0.role == .csoUser }?.organisationID
        switch try await service(req).ask(callID: id, question: form.question ?? "", organisationID: organisation, actor: signedIn.userID) {
        case .failure(let errors): return try await renderPublic(req, id: id, question: form.question ?? "", errors: errors, status: .badRequest)
        case .success: return Flash.redirect(req, to: .publicCall(id), flash: "call.question.sent")
        }
    }

    func publicDocument(req: Request) async throws -> Response {
        let call = try await service(req).find(try req.id("callID"))
        guard call.status.isPublic else { throw AppError.notFound }
        return try await DocumentStore(database: req.db).download(try req.id("documentID"), of: .call, call.id!)
    }
}
