import Foundation
import Ink

/// Articles' Markdown as HTML a public page can carry: Ink does the Markdown, and its output is
/// made safe where Ink trusts the writer. Raw HTML in the text comes out as text; a link keeps
/// its address only when it is a web or mail address or a path of this site, and opens with
/// `rel="noopener noreferrer"`; an image written into the text becomes its description (pages
/// load nothing from outside, and an article's picture comes from the evidence library).
public enum SafeMarkdown {
    public static func html(_ markdown: String) -> String {
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .html) { input in escaped(String(input.markdown)) })
        parser.addModifier(Modifier(target: .links) { input in link(input.markdown) })
        parser.addModifier(Modifier(target: .images) { input in image(input.markdown) })
        return parser.html(from: markdown)
    }

    static func escaped(_ text: String) -> String { Markup.escaped(text) }

    /// A link's address, when it may be followed: `http(s)` or `mailto` with no quote, angle
    /// bracket or space in it, or a path of this site (`/sq/lajme/…`, never `//host`).
    public static func safeAddress(_ address: String) -> String? {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 500, !trimmed.contains(where: { $0.isWhitespace || "\"'<>`\\".contains($0) }) else { return nil }
        if trimmed.hasPrefix("/") { return trimmed.hasPrefix("//") ? nil : trimmed }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("mailto:") { return trimmed }
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), let url = URL(string: trimmed), let host = url.host, !host.isEmpty else { return nil }
        return trimmed
    }

    /// `[words](address)` or `[words][name]`: the words as text, in an anchor when the address is safe.
    static func link(_ markdown: Substring) -> String {
        guard markdown.hasPrefix("["), let close = markdown.lastIndex(of: "]") else { return escaped(String(markdown)) }
        var words = markdown[markdown.index(after: markdown.startIndex)..<close]
        var address: Substring = ""
        let rest = markdown[markdown.index(after: close)...]
        if rest.hasPrefix("("), rest.hasSuffix(")") {
            address = rest.dropFirst().dropLast()
        } else if let open = markdown.firstIndex(of: "]"), markdown[markdown.index(after: open)...].hasPrefix("(") {
            // `[a](b) c]`-like shapes: the first closing bracket ends the words.
            words = markdown[markdown.index(after: markdown.startIndex)..<open]
            address = markdown[markdown.index(open, offsetBy: 2)...].dropLast()
        }
        // An optional title after the address ("… "title"") is dropped.
        let target = address.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let text = escaped(String(words))
        guard let safe = safeAddress(target) else { return text }
        return "<a href=\"\(escaped(safe))\" rel=\"noopener noreferrer\">\(text)</a>"
    }

    static func image(_ markdown: Substring) -> String {
        guard markdown.hasPrefix("!["), let close = markdown.firstIndex(of: "]") else { return escaped(String(markdown)) }
        return escaped(String(markdown[markdown.index(markdown.startIndex, offsetBy: 2)..<close]))
    }
}
