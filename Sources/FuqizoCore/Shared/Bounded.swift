/// Numbers typed by people, parsed into a range before any arithmetic touches them. Swift
/// traps on integer overflow, and one trap stops the server for everyone: a number from a form
/// or a query string is only ever used once it is known to be small enough.
public enum Bounded {
    /// A whole number within `range`, or nil for anything else: not a number, a sign or digits
    /// outside the range (however many), a fraction.
    public static func integer(_ text: String, in range: ClosedRange<Int>) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Int(_:) already refuses what does not fit in 64 bits; the range does the rest.
        guard trimmed.count <= 20, let value = Int(trimmed), range.contains(value) else { return nil }
        return value
    }
}

extension Int64 {
    /// The sum, or the largest (smallest) value when it would not fit: totals of hostile
    /// budgets stay comparable (and too large) instead of trapping.
    public func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// The product, or the largest (smallest) value when it would not fit.
    public func saturatingMultiplied(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }
}

extension Sequence where Element == Int64 {
    /// The total, saturating instead of trapping.
    public func saturatingSum() -> Int64 { reduce(0) { $0.saturatingAdding($1) } }
}

/// One page of a long list. The page asked for (from a query string, so anything) is clamped
/// to the pages that exist before the offset is computed, so no page number can overflow.
public struct Pager: Sendable, Equatable {
    public let page: Int
    public let pageSize: Int
    public let total: Int

    public init(requested: Int?, total: Int, pageSize: Int) {
        precondition(pageSize > 0, "a page holds at least one row")
        self.pageSize = pageSize
        self.total = max(0, total)
        let pageCount = max(1, self.total / pageSize + (self.total % pageSize == 0 ? 0 : 1))
        self.page = Swift.min(Swift.max(requested ?? 1, 1), pageCount)
    }

    public var pageCount: Int { max(1, total / pageSize + (total % pageSize == 0 ? 0 : 1)) }
    /// Rows to skip: at most `total`, so it always fits.
    public var offset: Int { (page - 1) * pageSize }
    public var previous: Int? { page > 1 ? page - 1 : nil }
    public var next: Int? { page < pageCount ? page + 1 : nil }
}
