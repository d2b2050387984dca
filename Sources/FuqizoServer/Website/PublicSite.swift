import Foundation
import FuqizoCore

/// The public website's addresses. The language is the first segment and every page has a
/// twin in the other language, named in that language (`/sq/lajme/…` and `/en/news/…`): a
/// visitor's link says what it shows, search engines index each language apart (`hreflang`),
/// and a shared link opens in the language it was shared in, whatever the reader's cookie.
enum PublicSite {
    /// The sections, each named in both languages.
    enum Section: CaseIterable {
        case about, contact, news, campaigns, results, library

        func word(_ language: Language) -> String {
            switch self {
            case .about: language.pick("rreth-programit", "about")
            case .contact: language.pick("kontakt", "contact")
            case .news: language.pick("lajme", "news")
            case .campaigns: language.pick("fushata", "campaigns")
            case .results: language.pick("rezultate", "results")
            case .library: language.pick("biblioteka", "library")
            }
        }

        init?(word: String, language: Language) {
            guard let section = Self.allCases.first(where: { $0.word(language) == word }) else { return nil }
            self = section
        }
    }

    enum Page: Hashable, Sendable {
        case home
        case section(Section)
        /// An article, by its slug in the page's language.
        case article(slug: String)
        /// A campaign, by its reference in lower case (`aw-2026-02`): the same in both
        /// languages, and it stays when the title is reworded.
        case campaign(slug: String)
        case feed

        static let news = Page.section(.news)

        func path(_ language: Language) -> String {
            let root = "/\(language.rawValue)"
            switch self {
            case .home: return root
            case .section(let section): return "\(root)/\(section.word(language))"
            case .article(let slug): return "\(root)/\(Section.news.word(language))/\(slug)"
            case .campaign(let slug): return "\(root)/\(Section.campaigns.word(language))/\(slug)"
            case .feed: return "\(root)/\(Section.news.word(language)).atom"
            }
        }

        /// The section the page belongs to, for the navigation's "current page".
        var section: Section? {
            switch self {
            case .home, .feed: nil
            case .section(let section): section
            case .article: .news
            case .campaign: .campaigns
            }
        }

        /// The page an address names, or nil.
        init?(language: Language, segments: [String]) {
            switch segments.count {
            case 0: self = .home
            case 1 where segments[0] == "\(Section.news.word(language)).atom": self = .feed
            case 1:
                guard let section = Section(word: segments[0], language: language) else { return nil }
                self = .section(section)
            case 2 where Slug.isValid(segments[1]):
                switch Section(word: segments[0], language: language) {
                case .news: self = .article(slug: segments[1])
                case .campaigns: self = .campaign(slug: segments[1])
                default: return nil
                }
            default: return nil
            }
        }
    }
}
