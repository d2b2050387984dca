import Foundation

/// What a publication in the public library is.
public enum PublicationKind: String, CaseIterable, Codable, Sendable {
    case report, study, guide, leaflet, toolkit, other

    public var catalogKey: String { "library.kind.\(rawValue)" }
}

/// The language a publication is written in.
public enum PublicationLanguage: String, CaseIterable, Codable, Sendable {
    case sq, en, both

    public var catalogKey: String { "library.language.\(rawValue)" }
}

/// A publication as typed beside its file: title and description in both languages, kind,
/// year and language. The file itself is checked by `DocumentCheck` (PDF and office formats,
/// recognised by their bytes).
public struct LibraryForm: Codable, Sendable, Equatable {
    public var titleSq = ""
    public var titleEn = ""
    public var descriptionSq = ""
    public var descriptionEn = ""
    public var kind = ""
    public var year = ""
    public var language = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        titleSq = try form.text(.titleSq)
        titleEn = try form.text(.titleEn)
        descriptionSq = try form.text(.descriptionSq)
        descriptionEn = try form.text(.descriptionEn)
        kind = try form.text(.kind)
        year = try form.text(.year)
        language = try form.text(.language)
    }

    public struct Publication: Sendable, Equatable {
        public let titleSq, titleEn, descriptionSq, descriptionEn: String
        public let kind: PublicationKind
        public let year: Int
        public let language: PublicationLanguage
    }

    public static let maximumTitle = 200
    public static let maximumDescription = 1_000
    /// The programme's field has publications from before it; none from the future.
    public static let earliestYear = 1990

    public func validated(currentYear: Int) -> Result<Publication, FieldErrors> {
        var errors = FieldErrors()
        func text(_ value: String, _ field: String, limit: Int, required: Bool) -> String {
            let clean = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if required, clean.isEmpty { errors.add(field, "form.error.required") }
            if clean.count > limit { errors.add(field, "form.error.tooLong") }
            return clean
        }
        let titles = (text(titleSq, "titleSq", limit: Self.maximumTitle, required: true), text(titleEn, "titleEn", limit: Self.maximumTitle, required: true))
        let descriptions = (text(descriptionSq, "descriptionSq", limit: Self.maximumDescription, required: false),
                            text(descriptionEn, "descriptionEn", limit: Self.maximumDescription, required: false))
        let kind = PublicationKind(rawValue: kind)
        if kind == nil { errors.add("kind", "form.error.choose") }
        let language = PublicationLanguage(rawValue: language)
        if language == nil { errors.add("language", "form.error.choose") }
        let year = Bounded.integer(year, in: Self.earliestYear...max(Self.earliestYear, currentYear))
        if year == nil { errors.add("year", "library.error.year") }
        guard errors.isEmpty, let kind, let language, let year else { return .failure(errors) }
        return .success(Publication(titleSq: titles.0, titleEn: titles.1, descriptionSq: descriptions.0, descriptionEn: descriptions.1,
                                    kind: kind, year: year, language: language))
    }
}
