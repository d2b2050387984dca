import Foundation
import FuqizoCore

/// The public website's addresses. The language is the first segment and every page has a
/// twin in the other language, named in that language (`/sq/lajme/…` and `/en/news/…`): a
/// visitor's link says what it shows, search engines index each language apart (`hreflang`),
/// and a shared link opens in the language it was shared in, whatever the reader's cookie.
enum PublicSite {
    enum Page: Hashable, Sendable {
        case home
        case news
        /// An article, by its slug in the page's language.
        case article(slug: String)
        case feed

        /// Each language's word for the news section and its feed.
        private static func news(_ language: Language) -> String { language.pick("lajme", "news") }

        func path(_ language: Language) -> String {
            let root = "/\(language.rawValue)"
            switch self {
            case .home: return root
            case .news: return "\(root)/\(Self.news(language))"
            case .article(let slug): return "\(root)/\(Self.news(language))/\(slug)"
            case .feed: return "\(root)/\(Self.news(language)).atom"
            }
        }

        /// The page an address names, or nil.
        init?(language: Language, segments: [String]) {
            let news = Self.news(language)
            switch segments.count {
            case 0: self = .home
            case 1 where segments[0] == news: self = .news
            case 1 where segments[0] == "\(news).atom": self = .feed
            case 2 where segments[0] == news && Slug.isValid(segments[1]): self = .article(slug: segments[1])
            default: return nil
            }
        }
    }
}
