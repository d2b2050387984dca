import Foundation
import FuqizoCore
import Vapor

/// The library as staff see it (every publication, withdrawn ones marked, the form to add one)
/// and as the public sees it (what is not withdrawn, with its file to download).
enum LibraryContext {
    struct Line: Encodable {
        let id: String
        let href: String?
        let title: String
        let details: String
        let description: String
        let withdrawn: String?
        let canWithdraw: Bool
    }

    struct Page: Encodable {
        let rows: [Line]
        let fields: [FieldContext]
        let hasErrors: Bool
        let fileError: String?
        let uploadLimit: String
        let publicHref: String
    }

    /// Kind, year, language and the file's size, in one line.
    static func details(_ req: Request, _ item: LibraryItem, _ file: Attachment?) -> String {
        ([req.t(item.kind.catalogKey), String(item.year), req.t(item.language.catalogKey)]
            + (file.map { [($0.kind.uppercased()), FileSize.text($0.size)] } ?? [])).joined(separator: " · ")
    }

    static func page(_ req: Request, items: [(LibraryItem, Attachment?)], form: LibraryForm, errors: FieldErrors, uploadLimit: Int) -> Page {
        let language = req.language
        let manage = Policy.decide(req.actor, .manageCampaigns, .publication).isAllowed
        return Page(
            rows: items.compactMap { item, file in
                item.id.map { id in
                    Line(id: id.uuidString, href: file == nil ? nil : SiteURL.publication(id).path, title: item.title(language),
                         details: details(req, item, file), description: language.pick(item.descriptionSq, item.descriptionEn),
                         withdrawn: item.withdrawnAt.map { req.t("library.withdrawnOn", ["when": Display.dateTime($0), "reason": item.withdrawnReason ?? ""]) },
                         canWithdraw: manage && item.withdrawnAt == nil)
                }
            },
            fields: manage ? fields(req, form, errors: errors) : [], hasErrors: !errors.isEmpty, fileError: errors["file"],
            uploadLimit: FileSize.text(Int64(uploadLimit)), publicHref: PublicSite.Page.section(.library).path(language))
    }

    static func fields(_ req: Request, _ form: LibraryForm, errors: FieldErrors) -> [FieldContext] {
        [
            FieldContext("titleSq", label: "library.field.titleSq", value: form.titleSq, errors: errors, required: true),
            FieldContext("titleEn", label: "library.field.titleEn", value: form.titleEn, errors: errors, required: true),
            FieldContext("descriptionSq", label: "library.field.descriptionSq", kind: "textarea", value: form.descriptionSq, errors: errors),
            FieldContext("descriptionEn", label: "library.field.descriptionEn", kind: "textarea", value: form.descriptionEn, errors: errors),
            FieldContext("kind", label: "library.field.kind", kind: "select", value: form.kind,
                         options: PublicationKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.kind) },
                         errors: errors, required: true),
            FieldContext("year", label: "library.field.year", kind: "number", value: form.year, errors: errors, required: true),
            FieldContext("language", label: "library.field.language", kind: "select", value: form.language,
                         options: PublicationLanguage.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form.language) },
                         errors: errors, required: true),
        ]
    }
}
