import Foundation
import FuqizoCore
import Vapor

/// The public library for staff: publications added with their file, each downloadable, and
/// withdrawn with a reason. The public reads the same list on the website.
struct LibraryController: RouteCollection {
    let uploadLimit: Int

    func boot(routes: any RoutesBuilder) throws {
        let library = routes.grouped("library")
        library.get(use: list).access(.viewCampaigns)
        library.upload(limit: uploadLimit, use: add).access(.manageCampaigns)
        library.get(":publicationID", use: file).access(.viewCampaigns, .publication)
        library.post(":publicationID", "withdraw", use: withdraw).access(.manageCampaigns, .publication)
    }

    private func service(_ req: Request) -> LibraryService {
        LibraryService(database: req.db, services: req.services)
    }

    private func render(_ req: Request, form: LibraryForm = LibraryForm(), errors: FieldErrors = .init(),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.page("library/list", title: "library.title",
                           LibraryContext.page(req, items: try await service(req).all(), form: form, errors: errors, uploadLimit: uploadLimit),
                           status: status)
    }

    func list(req: Request) async throws -> Response {
        try await render(req)
    }

    /// The form's fields beside the file; decoded apart, so a missing file still shows them back.
    struct Upload: Content {
        var file: File?
    }

    func add(req: Request) async throws -> Response {
        let form = (try? req.content.decode(LibraryForm.self)) ?? LibraryForm()
        switch DocumentStore.check((try? req.content.decode(Upload.self))?.file, limit: uploadLimit) {
        case .failure(let problem):
            var errors = FieldErrors()
            errors.add("file", problem.catalogKey)
            return try await render(req, form: form, errors: errors, status: .badRequest)
        case .success(let (document, bytes)):
            switch try await service(req).add(form, document: document, bytes: bytes, actor: try req.requireSignedIn().userID) {
            case .success: return Flash.redirect(req, to: .library, flash: "library.addedFlash")
            case .failure(let errors): return try await render(req, form: form, errors: errors, status: .badRequest)
            }
        }
    }

    func file(req: Request) async throws -> Response {
        let item = try req.record(LibraryItem.self)
        guard let attachment = try await service(req).publicFile(try item.requireID()) else { throw AppError.notFound }
        return try await DocumentStore(database: req.db).download(attachment)
    }

    /// Withdrawing is not undone: the officer confirms and says why.
    func withdraw(req: Request) async throws -> Response {
        let item = try req.record(LibraryItem.self)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "library.withdrawTitle", consequence: req.t("library.withdrawConsequence", ["title": item.title(req.language)]),
                                action: req.url.path, cancel: .library, fields: [ConfirmationContext.writtenReason(form, errors: errors)],
                                confirm: "library.withdraw")
        }) {
        case .ask(let page): return page
        case .reason(let reason):
            try await service(req).withdraw(item, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .library, flash: "library.withdrawnFlash")
        }
    }
}
