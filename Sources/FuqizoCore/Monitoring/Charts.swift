import Foundation

/// Charts drawn on the server as SVG, for pages that must work without script and print well.
/// Each is an image with a text alternative; the page shows the same numbers in a table beside
/// it, so nothing is only in the picture. Every text is escaped, and every number placed is
/// computed in `Double` and clamped, so no value can break the drawing or the process.
public enum SVGChart {
    /// One bar: what it is, its value (nil: suppressed or none, drawn as no bar) and the value
    /// as written beside it.
    public struct Bar: Sendable, Equatable {
        public let label: String
        public let value: Int64?
        public let text: String

        public init(label: String, value: Int64?, text: String) { (self.label, self.value, self.text) = (label, value, text) }
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", min(max(value, -1_000_000), 1_000_000))
    }

    /// Progress toward a target: a bar filled to the share achieved (full at 100 % and beyond).
    public static func progress(basisPoints: Int64?, label: String) -> String {
        let share = min(max(Double(basisPoints ?? 0) / 10_000, 0), 1)
        let reached = (basisPoints ?? 0) >= 10_000
        return """
            <svg class="chart progress" viewBox="0 0 200 14" width="200" height="14" role="img" aria-label="\(escaped(label))">\
            <rect x="0.5" y="0.5" width="199" height="13" rx="3" fill="#f4f2f5" stroke="#c9c4cc"/>\
            <rect x="0.5" y="0.5" width="\(number(199 * share))" height="13" rx="3" fill="\(reached ? "#1e6b34" : "#6b2d5c")"/></svg>
            """
    }

    /// Horizontal bars, one per row, scaled to the largest value.
    public static func bars(_ bars: [Bar], label: String) -> String {
        let largest = Double(max(1, bars.compactMap(\.value).max() ?? 1))
        // Drawn 360 units wide, so that on a 360-pixel phone the text keeps its size.
        let rowHeight = 26.0, labelWidth = 120.0, barWidth = 140.0
        let height = max(rowHeight, rowHeight * Double(bars.count))
        var rows = ""
        for (index, bar) in bars.enumerated() {
            let y = rowHeight * Double(index)
            let width = bar.value.map { barWidth * min(max(Double($0) / largest, 0), 1) } ?? 0
            rows += """
                <text x="\(number(labelWidth - 6))" y="\(number(y + 17))" text-anchor="end">\(escaped(String(bar.label.prefix(18))))</text>\
                <rect x="\(number(labelWidth))" y="\(number(y + 5))" width="\(number(width))" height="16" fill="#6b2d5c"/>\
                <text x="\(number(labelWidth + width + 6))" y="\(number(y + 17))">\(escaped(bar.text))</text>
                """
        }
        return """
            <svg class="chart bars" viewBox="0 0 360 \(number(height))" role="img" aria-label="\(escaped(label))" font-size="12" fill="#1d1d1f">\(rows)</svg>
            """
    }

    /// Values across periods against their targets: the actual line solid, the target dashed.
    /// `points`: one per period, in order, with its label; `written` writes a value for the
    /// scale's two marks (the largest and the smallest drawn).
    public static func lines(_ points: [(label: String, actual: Int64?, target: Int64?)], label: String,
                             written: (Int64) -> String = { String($0) }) -> String {
        let width = 360.0, height = 190.0, left = 92.0, bottom = 160.0, topEdge = 12.0
        let values = points.flatMap { [$0.actual, $0.target] }.compactMap { $0 }
        let top = max(1, values.max() ?? 1), floor = min(0, values.min() ?? 0)
        let largest = Double(top), smallest = Double(floor)
        let span = max(1, largest - smallest)
        let step = points.count > 1 ? (width - left - 24) / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { left + (points.count > 1 ? step * Double(index) : (width - left) / 2) }
        func y(_ value: Int64) -> Double { bottom - (bottom - topEdge) * (Double(value) - smallest) / span }
        func path(_ series: [Int64?]) -> String {
            series.enumerated().compactMap { index, value in value.map { "\(number(x(index))),\(number(y($0)))" } }.joined(separator: " ")
        }
        var marks = """
            <text x="\(number(left - 6))" y="\(number(topEdge + 4))" text-anchor="end">\(escaped(written(top)))</text>\
            <text x="\(number(left - 6))" y="\(number(bottom + 4))" text-anchor="end">\(escaped(written(floor)))</text>\
            <line x1="\(number(left))" y1="\(number(topEdge))" x2="\(number(left))" y2="\(number(bottom))" stroke="#c9c4cc"/>
            """
        for (index, point) in points.enumerated() {
            marks += "<text x=\"\(number(x(index)))\" y=\"\(number(bottom + 18))\" text-anchor=\"middle\">\(escaped(String(point.label.prefix(12))))</text>"
            if let actual = point.actual { marks += "<circle cx=\"\(number(x(index)))\" cy=\"\(number(y(actual)))\" r=\"4\" fill=\"#6b2d5c\"/>" }
        }
        return """
            <svg class="chart lines" viewBox="0 0 \(number(width)) \(number(height))" role="img" aria-label="\(escaped(label))" font-size="12" fill="#1d1d1f">\
            <line x1="\(number(left))" y1="\(number(bottom))" x2="\(number(width - 10))" y2="\(number(bottom))" stroke="#c9c4cc"/>\
            <polyline points="\(path(points.map(\.target)))" fill="none" stroke="#4a4a52" stroke-width="2" stroke-dasharray="6 4"/>\
            <polyline points="\(path(points.map(\.actual)))" fill="none" stroke="#6b2d5c" stroke-width="3"/>\(marks)</svg>
            """
    }
}
