import Foundation

/// The news as an Atom feed (RFC 4287): the feed's id, title and updated time, a self link and
/// an alternate link, and per entry its id, title, updated time, link and summary, every text
/// escaped. Written by hand: it is a dozen elements, and no package on the machine's list
/// writes Atom.
public enum AtomFeed {
    public struct Entry: Sendable, Equatable {
        public let id: String
        public let title: String
        public let link: String
        public let updated: Date
        public let summary: String

        public init(id: String, title: String, link: String, updated: Date, summary: String) {
            (self.id, self.title, self.link, self.updated, self.summary) = (id, title, link, updated, summary)
        }
    }

    public static func render(id: String, title: String, language: String, selfLink: String, alternate: String, author: String,
                              updated: Date, entries: [Entry]) -> String {
        let time = ISO8601DateFormatter()
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(escaped(language))">
            <id>\(escaped(id))</id>
            <title>\(escaped(title))</title>
            <updated>\(time.string(from: updated))</updated>
            <author><name>\(escaped(author))</name></author>
            <link rel="self" type="application/atom+xml" href="\(escaped(selfLink))"/>
            <link rel="alternate" type="text/html" href="\(escaped(alternate))"/>

            """
        for entry in entries {
            xml += """
                <entry>
                <id>\(escaped(entry.id))</id>
                <title>\(escaped(entry.title))</title>
                <link rel="alternate" type="text/html" href="\(escaped(entry.link))"/>
                <updated>\(time.string(from: entry.updated))</updated>
                <summary>\(escaped(entry.summary))</summary>
                </entry>

                """
        }
        return xml + "</feed>\n"
    }

    static func escaped(_ text: String) -> String { Markup.escaped(text) }
}

/// `sitemap.xml` (sitemaps.org 0.9): each address of each language, with its last change.
/// The twins in the other language are named in each page's head (`hreflang`), not here.
public enum Sitemap {
    public struct Address: Sendable, Equatable {
        public let location: String
        public let modified: Date?

        public init(location: String, modified: Date?) {
            (self.location, self.modified) = (location, modified)
        }
    }

    public static func render(_ addresses: [Address]) -> String {
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">

            """
        for address in addresses {
            xml += "<url><loc>\(AtomFeed.escaped(address.location))</loc>"
            if let modified = address.modified { xml += "<lastmod>\(day.string(from: modified))</lastmod>" }
            xml += "</url>\n"
        }
        return xml + "</urlset>\n"
    }
}
