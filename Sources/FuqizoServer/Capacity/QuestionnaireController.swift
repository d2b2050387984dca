import Foundation
import FuqizoCore
import Vapor

/// An event's tests and survey: the trainer writes the tests, sends everyone their personal
/// single-use link (mailed, or printed as a code), and reads the results; participants answer
/// without an account at `/answer`.
struct QuestionnaireController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let event = routes.grouped("events", ":eventID")
        event.get("questionnaires", use: summary).access(.runEvent, .capacityEvent)
        event.post("questionnaires", ":purpose", "links", use: issue).access(.runEvent, .capacityEvent)
        event.get("tests", ":phase", use: editTest).access(.runEvent, .capacityEvent)
        event.post("tests", ":phase", use: saveTest).access(.runEvent, .capacityEvent)
        routes.get("answer", use: codeForm).access(.viewPublic)
        routes.get("answer", ":linkCode", use: questionnaire).access(.viewPublic)
        routes.post("answer", ":linkCode", use: answer).access(.viewPublic)
    }

    private func service(_ req: Request) -> QuestionnaireService {
        QuestionnaireService(database: req.db, services: req.services)
    }

    func summary(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let context = try QuestionnaireContext.summary(req, event, try await service(req).summary(of: event),
                                                   tests: [.preTest: try await service(req).test(of: event, .preTest) != nil,
                                                           .postTest: try await service(req).test(of: event, .postTest) != nil])
        return try await req.page("events/questionnaires", title: "questionnaire.title", context).encodeResponse(for: req)
    }

    func issue(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let purpose = try req.parameter("purpose", as: LinkPurpose.self)
        let slips = try await service(req).issue(purpose, for: event, actor: try req.requireSignedIn().userID)
        let context = QuestionnaireContext.Slips(eventID: try event.requireID().uuidString, title: event.title(req.language), reference: event.reference,
                                                 purpose: req.t(purpose.catalogKey), address: req.services.config.publicURL + SiteURL.answerCode.path,
                                                 slips: slips)
        // The codes are shown this once: the page is never cached.
        let response: Response = try await req.page("events/slips", title: "questionnaire.slips.title", context).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: HTTPHeaders.Name.cacheControl, value: "private, no-store")
        return response
    }

    private func renderTest(_ req: Request, _ event: CapacityEvent, phase: LinkPurpose, form: TestForm, errors: FieldErrors = .init(),
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("events/test", title: phase.catalogKey, try QuestionnaireContext.testForm(req, event, phase: phase, form: form, errors: errors),
                           status: status)
    }

    private func phase(_ req: Request) throws -> LinkPurpose {
        let phase = try req.parameter("phase", as: LinkPurpose.self)
        guard phase.isTest else { throw AppError.notFound }
        return phase
    }

    func editTest(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let phase = try phase(req)
        let existing = try await service(req).test(of: event, phase)?.test()
        return try await renderTest(req, event, phase: phase, form: existing.map(TestForm.init) ?? TestForm())
    }

    func saveTest(req: Request) async throws -> Response {
        let event = try req.record(CapacityEvent.self)
        let phase = try phase(req)
        let form = try req.form(TestForm.self)
        switch try await service(req).saveTest(form, phase: phase, for: event, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .questionnaires(try event.requireID()), flash: "test.savedFlash")
        case .failure(let errors): return try await renderTest(req, event, phase: phase, form: form, errors: errors, status: .badRequest)
        }
    }

    // MARK: participants, without an account

    struct CodeQuery: Content {
        var code: String?
    }

    /// The page where a printed code is typed; a code typed here opens its questionnaire.
    func codeForm(req: Request) async throws -> Response {
        if let code = (try? req.query.decode(CodeQuery.self))?.code.flatMap({ Certificate.normalisedCode(String($0.prefix(40))) }) {
            return req.redirect(to: .answer(code: code))
        }
        let typed = (try? req.query.decode(CodeQuery.self))?.code ?? ""
        return try await req.page("events/answer-code", title: "questionnaire.answer.title",
                                  QuestionnaireContext.CodePage(code: String(typed.prefix(40)), invalid: !typed.isEmpty)).encodeResponse(for: req)
    }

    private func open(_ req: Request) async throws -> ParticipantLink {
        guard let link = try await service(req).link(code: req.parameters.get("linkCode") ?? "") else { throw AppError.notFound }
        guard link.usedAt == nil else { throw AppError(status: .conflict, messageKey: "questionnaire.error.used") }
        return link
    }

    private func render(_ req: Request, _ link: ParticipantLink, form: AnswerForm = AnswerForm(), errors: FieldErrors = .init(),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let test = link.purpose.isTest ? try await service(req).test(of: link.event, link.purpose)?.test() : nil
        let context = QuestionnaireContext.answer(req, link, test: test, code: req.parameters.get("linkCode") ?? "", form: form, errors: errors)
        let response: Response = try await req.page("events/answer", title: "questionnaire.answer.title", context, status: status)
        response.headers.replaceOrAdd(name: HTTPHeaders.Name.cacheControl, value: "private, no-store")
        return response
    }

    func questionnaire(req: Request) async throws -> Response {
        try await render(req, try await open(req))
    }

    func answer(req: Request) async throws -> Response {
        let link = try await open(req)
        let form = try req.form(AnswerForm.self)
        switch try await service(req).answer(link, form: form) {
        case .success:
            return try await req.page("events/answered", title: "questionnaire.answer.title",
                                      QuestionnaireContext.CodePage(code: "", invalid: false)).encodeResponse(for: req)
        case .failure(let errors): return try await render(req, link, form: form, errors: errors, status: .badRequest)
        }
    }
}
