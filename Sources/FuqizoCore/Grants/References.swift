/// Human references people read and quote: `CFP-2019-01` for a call, `APP-2019-01-014` for an
/// application to it.
public enum GrantReference {
    public static func call(year: Int, number: Int) -> String {
        "CFP-\(year)-\(pad(number, 2))"
    }

    /// `CFP-2019-01` and 14 give `APP-2019-01-014`.
    public static func application(callReference: String, number: Int) -> String? {
        guard callReference.hasPrefix("CFP-") else { return nil }
        return "APP-\(callReference.dropFirst(4))-\(pad(number, 3))"
    }

    static func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
