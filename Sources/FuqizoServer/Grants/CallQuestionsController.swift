import Foundation
import FuqizoCore
import Vapor

/// Applicants' questions about a call, as the grants officer rewords and answers them; an
/// answer is published to everyone without who asked.
struct CallQuestionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let call = routes.grouped("grants", "calls", ":callID")
        call.get("questions", use: questions).access(.manageCalls)
        call.post("questions", ":questionID", use: answer).access(.manageCalls)
    }

    private func service(_ req: Request) -> CallService {
        CallService(database: req.db, services: req.services)
    }

    struct QuestionsPage: Encodable {
        let id: String
        let reference: String
        let questions: [CallContext.QuestionLine]
    }

    private func renderQuestions(_ req: Request, id: UUID, failed: (UUID, FieldErrors, PublicCallsController.QuestionForm)? = nil,
                                 status: HTTPResponseStatus = .ok) async throws -> Response {
        let call = try await service(req).find(id)
        let questions = try await service(req).questions(callID: id, publishedOnly: false).map { question in
            let typed = failed?.0 == question.id ? failed?.2 : nil
            let errors = failed?.0 == question.id ? failed!.1 : FieldErrors()
            return CallContext.QuestionLine(
                id: question.id!.uuidString, question: question.question, answer: question.answer,
                askedAt: Display.dateTime(question.askedAt),
                fields: [
                    FieldContext("question", label: "call.question.field", kind: "textarea", value: typed?.question ?? question.question,
                                 errors: errors, required: true, hint: "call.question.rewordHint"),
                    FieldContext("answer", label: "call.answer.field", kind: "textarea", value: typed?.answer ?? question.answer ?? "",
                                 errors: errors, required: true),
                ])
        }
        return try await req.page("grants/questions", title: "call.questions.title",
                                  QuestionsPage(id: id.uuidString, reference: call.reference, questions: questions), status: status)
    }

    func questions(req: Request) async throws -> Response {
        try await renderQuestions(req, id: try req.id("callID"))
    }

    func answer(req: Request) async throws -> Response {
        let id = try req.id("callID")
        let questionID = try req.id("questionID")
        let form = try req.form(PublicCallsController.QuestionForm.self)
        switch try await service(req).answer(questionID: questionID, callID: id, question: form.question ?? "", answer: form.answer ?? "",
                                             actor: try req.requireSignedIn().userID) {
        case .failure(let errors): return try await renderQuestions(req, id: id, failed: (questionID, errors, form), status: .badRequest)
        case .success: return Flash.redirect(req, to: .callQuestions(id), flash: "call.answer.published")
        }
    }
}
