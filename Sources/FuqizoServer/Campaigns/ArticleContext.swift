import Foundation
import FuqizoCore
import Vapor

/// News articles as the communications side reads them: the list, the form, an article's page
/// with its workflow, preview and versions, and one old version.
enum ArticleContext {
    struct Line: Encodable {
        let href: String
        let title: String
        let status: String
        let online: String
        let written: String
    }

    struct ListPage: Encodable {
        let canCreate: Bool
        let rows: [Line]
        let pages: PageLinks
    }

    /// Where an article stands for the public: online since, scheduled for, or not online.
    static func online(_ req: Request, publishedVersion: Int?, publishAt: Date?, now: Date) -> String {
        if Publication.isVisible(publishedVersion: publishedVersion, publishAt: publishAt, now: now), let publishAt {
            return req.t("article.online.since", ["when": Display.dateTime(publishAt)])
        }
        if Publication.isScheduled(publishedVersion: publishedVersion, publishAt: publishAt, now: now), let publishAt {
            return req.t("article.online.scheduled", ["when": Display.dateTime(publishAt)])
        }
        return req.t("article.online.not")
    }

    static func list(_ req: Request, rows: [ArticleService.ArticleRow], pager: Pager) -> ListPage {
        let now = req.services.clock.now()
        return ListPage(
            canCreate: Policy.decide(req.actor, .manageCampaigns).isAllowed,
            rows: rows.map { row in
                Line(href: SiteURL.article(row.id).path, title: req.language.pick(row.titleSq, row.titleEn),
                     status: req.t(ArticleStatus(rawValue: row.status)?.catalogKey ?? row.status),
                     online: online(req, publishedVersion: row.publishedVersion, publishAt: row.publishAt, now: now),
                     written: Display.dateTime(row.writtenAt))
            },
            pages: PageLinks(pager) { SiteURL.articles.with([("page", String($0))]) })
    }

    struct FormPage: Encodable {
        let action: String
        let fields: [FieldContext]
        let hasErrors: Bool
    }

    static func fields(_ req: Request, _ form: ArticleForm, images: [FieldContext.Option], errors: FieldErrors) -> [FieldContext] {
        [
            FieldContext("titleSq", label: "article.field.titleSq", value: form.titleSq, errors: errors, required: true),
            FieldContext("titleEn", label: "article.field.titleEn", value: form.titleEn, errors: errors, required: true),
            FieldContext("summarySq", label: "article.field.summarySq", kind: "textarea", value: form.summarySq, errors: errors, required: true,
                         hint: "article.summary.hint"),
            FieldContext("summaryEn", label: "article.field.summaryEn", kind: "textarea", value: form.summaryEn, errors: errors, required: true),
            FieldContext("bodySq", label: "article.field.bodySq", kind: "textarea", value: form.bodySq, errors: errors, required: true,
                         hint: "article.body.hint"),
            FieldContext("bodyEn", label: "article.field.bodyEn", kind: "textarea", value: form.bodyEn, errors: errors, required: true),
            FieldContext("image", label: "article.field.image", kind: "select", value: form.image,
                         options: images.map { .init(value: $0.value, label: $0.label, selected: $0.value == form.image) },
                         errors: errors, hint: "article.image.hint"),
        ]
    }

    static func form(_ req: Request, _ form: ArticleForm, action: String, images: [FieldContext.Option], errors: FieldErrors) -> FormPage {
        FormPage(action: action, fields: fields(req, form, images: images, errors: errors), hasErrors: !errors.isEmpty)
    }

    static func form(of version: ArticleVersion) -> ArticleForm {
        var form = ArticleForm()
        (form.titleSq, form.titleEn, form.summarySq, form.summaryEn) = (version.titleSq, version.titleEn, version.summarySq, version.summaryEn)
        (form.bodySq, form.bodyEn, form.image) = (version.bodySq, version.bodyEn, version.imageID?.uuidString ?? "")
        return form
    }

    struct VersionLine: Encodable {
        let href: String
        let number: Int
        let written: String
        let published: Bool
    }

    struct Page: Encodable {
        let id: String
        let title: String
        let status: String
        let online: String
        let addresses: [String]
        let canEdit: Bool
        let canSubmit: Bool
        let canReturn: Bool
        let canPublish: Bool
        let ownVersion: Bool
        let canUnpublish: Bool
        let fields: [FieldContext]
        let hasErrors: Bool
        let dayError: String?
        let previewSq: String
        let previewEn: String
        let versions: [VersionLine]
    }

    static func page(_ req: Request, _ article: Article, versions: [ArticleVersion], form: ArticleForm?, images: [FieldContext.Option],
                     errors: FieldErrors, now: Date) throws -> Page {
        let id = try article.requireID()
        guard let latest = versions.first else { throw AppError.server }
        let manage = Policy.decide(req.actor, .manageCampaigns, article.resource).isAllowed
        return Page(
            id: id.uuidString, title: latest.title(req.language), status: req.t(article.status.catalogKey),
            online: online(req, publishedVersion: article.publishedVersion, publishAt: article.publishAt, now: now),
            addresses: [PublicSite.Page.article(slug: article.slugSq).path(.sq), PublicSite.Page.article(slug: article.slugEn).path(.en)],
            canEdit: manage && article.status.allows(.save), canSubmit: manage && article.status.allows(.submit),
            canReturn: manage && article.status.allows(.returnToDraft), canPublish: manage && article.status.allows(.publish),
            ownVersion: req.actor.userID == latest.writtenBy, canUnpublish: manage && article.status.allows(.unpublish),
            fields: fields(req, form ?? Self.form(of: latest), images: images, errors: errors), hasErrors: !errors.isEmpty && errors["day"] == nil,
            dayError: errors["day"],
            previewSq: SafeMarkdown.html(latest.bodySq), previewEn: SafeMarkdown.html(latest.bodyEn),
            versions: versions.map { version in
                VersionLine(href: SiteURL.articleVersion(article: id, number: version.number).path, number: version.number,
                            written: Display.dateTime(version.writtenAt), published: version.number == article.publishedVersion)
            })
    }

    struct VersionPage: Encodable {
        let back: String
        let number: Int
        let titleSq: String
        let titleEn: String
        let summarySq: String
        let summaryEn: String
        let bodySq: String
        let bodyEn: String
        let written: String
    }

    static func version(_ req: Request, _ article: Article, _ version: ArticleVersion) -> VersionPage {
        VersionPage(back: SiteURL.article(article.id ?? UUID()).path, number: version.number, titleSq: version.titleSq, titleEn: version.titleEn,
                    summarySq: version.summarySq, summaryEn: version.summaryEn,
                    bodySq: SafeMarkdown.html(version.bodySq), bodyEn: SafeMarkdown.html(version.bodyEn), written: Display.dateTime(version.writtenAt))
    }
}
