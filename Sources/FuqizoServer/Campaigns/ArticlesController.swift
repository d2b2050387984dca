import Foundation
import FuqizoCore
import Vapor

/// News articles for the communications side: the list, writing (each save a version), review
/// by a second person, publication now or later, unpublishing.
struct ArticlesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let articles = routes.grouped("articles")
        articles.get(use: list).access(.viewCampaigns)
        articles.get("new", use: newForm).access(.manageCampaigns)
        articles.post(use: create).access(.manageCampaigns)
        let article = articles.grouped(":articleID")
        article.get(use: show).access(.viewCampaigns, .article)
        article.post(use: save).access(.manageCampaigns, .article)
        article.post("submit", use: submit).access(.manageCampaigns, .article)
        article.post("return", use: returnToDraft).access(.manageCampaigns, .article)
        article.post("publish", use: publish).access(.manageCampaigns, .article)
        article.post("unpublish", use: unpublish).access(.manageCampaigns, .article)
        article.get("versions", ":version", use: version).access(.viewCampaigns, .article)
    }

    private func service(_ req: Request) -> ArticleService {
        ArticleService(database: req.db, services: req.services)
    }

    struct ListQuery: Content {
        var page: Int?
    }

    func list(req: Request) async throws -> Response {
        let found = try await service(req).articles(page: (try? req.query.decode(ListQuery.self))?.page)
        return try await req.page("articles/list", title: "article.list.title", ArticleContext.list(req, rows: found.rows, pager: found.pager))
            .encodeResponse(for: req)
    }

    private func images(_ req: Request) async throws -> [FieldContext.Option] {
        try await service(req).images().compactMap { item in
            item.evidence.id.map { .init(value: $0.uuidString, label: "\(item.campaign.reference) · \(req.language.pick(item.evidence.altSq, item.evidence.altEn))", selected: false) }
        }
    }

    func newForm(req: Request) async throws -> Response {
        try await req.page("articles/form", title: "article.new.title",
                           ArticleContext.form(req, ArticleForm(), action: SiteURL.articles.path, images: try await images(req), errors: .init()))
            .encodeResponse(for: req)
    }

    func create(req: Request) async throws -> Response {
        let form = try req.form(ArticleForm.self)
        switch try await service(req).create(form, actor: try req.requireSignedIn().userID) {
        case .success(let article): return Flash.redirect(req, to: .article(try article.requireID()), flash: "article.savedFlash")
        case .failure(let errors):
            return try await req.page("articles/form", title: "article.new.title",
                                      ArticleContext.form(req, form, action: SiteURL.articles.path, images: try await images(req), errors: errors), status: .badRequest)
        }
    }

    private func render(_ req: Request, _ article: Article, form: ArticleForm? = nil, errors: FieldErrors = .init(),
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let versions = try await service(req).versions(of: article)
        let context = try ArticleContext.page(req, article, versions: versions, form: form, images: try await images(req), errors: errors,
                                              now: req.services.clock.now())
        return try await req.page("articles/article", title: "article.title", context, status: status)
    }

    func show(req: Request) async throws -> Response {
        try await render(req, try req.record(Article.self))
    }

    func save(req: Request) async throws -> Response {
        let article = try req.record(Article.self)
        let form = try req.form(ArticleForm.self)
        switch try await service(req).save(article, form: form, actor: try req.requireSignedIn().userID) {
        case .success: return Flash.redirect(req, to: .article(try article.requireID()), flash: "article.savedFlash")
        case .failure(let errors): return try await render(req, article, form: form, errors: errors, status: .badRequest)
        }
    }

    func submit(req: Request) async throws -> Response {
        let article = try req.record(Article.self)
        try await service(req).submit(article, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .article(try article.requireID()), flash: "article.submittedFlash")
    }

    func returnToDraft(req: Request) async throws -> Response {
        let article = try req.record(Article.self)
        let id = try article.requireID()
        _ = try article.status.transition(.returnToDraft)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "article.return.confirmTitle", consequence: req.t("article.return.consequence"), action: req.url.path,
                                cancel: .article(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "article.return")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).returnToDraft(article, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .article(id), flash: "article.returnedFlash")
        }
    }

    struct PublishForm: Content {
        var day: String?
        var time: String?
    }

    /// Now, or on the day and at the time typed (Tirana time); a time already past means now.
    func publish(req: Request) async throws -> Response {
        let article = try req.record(Article.self)
        let form = (try? req.content.decode(PublishForm.self)) ?? PublishForm()
        let now = req.services.clock.now()
        var at = now
        if let day = form.day, !day.isEmpty {
            guard let typed = TiranaTime.instant(date: day, time: form.time.flatMap { $0.isEmpty ? nil : $0 } ?? "08:00"),
                  typed < now.addingTimeInterval(366 * 86_400) else {
                var errors = FieldErrors()
                errors.add("day", "form.error.date")
                return try await render(req, article, errors: errors, status: .badRequest)
            }
            at = max(typed, now)
        }
        try await service(req).publish(article, at: at, actor: try req.requireSignedIn().userID)
        return Flash.redirect(req, to: .article(try article.requireID()), flash: at > now ? "article.scheduledFlash" : "article.publishedFlash")
    }

    func unpublish(req: Request) async throws -> Response {
        let article = try req.record(Article.self)
        let id = try article.requireID()
        _ = try article.status.transition(.unpublish)
        switch try await req.confirmation({ $0.writtenReason() }, { form, errors in
            ConfirmationContext(title: "article.unpublish.confirmTitle", consequence: req.t("article.unpublish.consequence"), action: req.url.path,
                                cancel: .article(id), fields: [ConfirmationContext.writtenReason(form, errors: errors)], confirm: "article.unpublish")
        }) {
        case .ask(let response): return response
        case .reason(let reason):
            try await service(req).unpublish(article, reason: reason, actor: try req.requireSignedIn().userID)
            return Flash.redirect(req, to: .article(id), flash: "article.unpublishedFlash")
        }
    }

    func version(req: Request) async throws -> Response {
        let article = try req.record(Article.self)
        guard let number = Bounded.integer(req.parameters.get("version") ?? "", in: 1...100_000) else { throw AppError.notFound }
        let version = try await service(req).version(number, of: article)
        return try await req.page("articles/version", title: "article.version.title", ArticleContext.version(req, article, version))
            .encodeResponse(for: req)
    }
}
