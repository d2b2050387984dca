/// The headings of a grant budget.
public enum BudgetHeading: String, CaseIterable, Codable, Sendable {
    case humanResources
    case travel
    case equipment
    case localOffice
    case other
    case indirect

    public var isDirect: Bool { self != .indirect }
    public var catalogKey: String { "budget.heading.\(rawValue)" }
}

public struct BudgetLine: Codable, Sendable, Equatable {
    public var heading: BudgetHeading
    public var description: String
    public var units: Int
    public var unitCostMinorUnits: Int64

    public init(heading: BudgetHeading, description: String, units: Int, unitCostMinorUnits: Int64) {
        self.heading = heading
        self.description = description
        self.units = units
        self.unitCostMinorUnits = unitCostMinorUnits
    }

    /// The most units one line may count (people, months, items).
    public static let maximumUnits = 1_000_000

    /// Units times cost, saturating: a stored line can never make a page trap.
    public var totalMinorUnits: Int64 { Int64(units).saturatingMultiplied(by: unitCostMinorUnits) }

    /// Parses a line's typed units and unit cost into their ranges; nil when either is not a
    /// number in range.
    public static func parse(units: String, unitCost: String, currency: String) -> (units: Int, cost: Money)? {
        guard let units = Bounded.integer(units, in: 1...maximumUnits),
              let cost = Money(parsing: unitCost, currency: currency) else { return nil }
        return (units, cost)
    }
}

/// The money rules of a call, all settings of the call (defaults after product.md).
public struct GrantRules: Codable, Sendable, Equatable {
    public var minimumGrantMinorUnits: Int64
    public var maximumGrantMinorUnits: Int64
    /// The most the grant may cover of the total eligible cost, in basis points (9000 = 90 %);
    /// the applicant co-finances the rest.
    public var maximumGrantShareBasisPoints: Int
    /// Indirect costs at most this share of direct costs, in basis points (700 = 7 %).
    public var maximumIndirectBasisPoints: Int
    /// The tranche, reporting and amendment rules of the call's contracts.
    public var contract: ContractSettings

    public init(minimumGrantMinorUnits: Int64, maximumGrantMinorUnits: Int64, maximumGrantShareBasisPoints: Int = 9000,
                maximumIndirectBasisPoints: Int = 700, contract: ContractSettings = .default) {
        self.minimumGrantMinorUnits = minimumGrantMinorUnits
        self.maximumGrantMinorUnits = maximumGrantMinorUnits
        self.maximumGrantShareBasisPoints = maximumGrantShareBasisPoints
        self.maximumIndirectBasisPoints = maximumIndirectBasisPoints
        self.contract = contract
    }

    /// Calls saved before contracts existed read with the default contract settings.
    public init(from decoder: any Decoder) throws {
        let stored = try decoder.container(keyedBy: CodingKeys.self)
        self.init(minimumGrantMinorUnits: try stored.decode(Int64.self, forKey: .minimumGrantMinorUnits),
                  maximumGrantMinorUnits: try stored.decode(Int64.self, forKey: .maximumGrantMinorUnits),
                  maximumGrantShareBasisPoints: try stored.decode(Int.self, forKey: .maximumGrantShareBasisPoints),
                  maximumIndirectBasisPoints: try stored.decode(Int.self, forKey: .maximumIndirectBasisPoints),
                  contract: try stored.decodeIfPresent(ContractSettings.self, forKey: .contract) ?? .default)
    }

    public static let `default` = GrantRules(minimumGrantMinorUnits: 1_000_000, maximumGrantMinorUnits: 6_000_000)
}

/// An application's budget: lines by heading, and the amount requested from the programme.
public struct Budget: Codable, Sendable, Equatable {
    public var lines: [BudgetLine]
    public var requestedMinorUnits: Int64

    public init(lines: [BudgetLine], requestedMinorUnits: Int64) {
        self.lines = lines
        self.requestedMinorUnits = requestedMinorUnits
    }

    public func total(of heading: BudgetHeading) -> Int64 {
        lines.filter { $0.heading == heading }.map(\.totalMinorUnits).saturatingSum()
    }

    public var directMinorUnits: Int64 { lines.filter(\.heading.isDirect).map(\.totalMinorUnits).saturatingSum() }
    public var indirectMinorUnits: Int64 { total(of: .indirect) }
    public var totalMinorUnits: Int64 { directMinorUnits.saturatingAdding(indirectMinorUnits) }
    public var coFinancingMinorUnits: Int64 { totalMinorUnits.saturatingAdding(-requestedMinorUnits) }

    /// Each broken rule against the field it concerns (catalog keys).
    public func problems(under rules: GrantRules) -> FieldErrors {
        var errors = FieldErrors()
        if lines.isEmpty { errors.add("budget", "budget.error.empty") }
        for (index, line) in lines.enumerated() {
            if Text.clean(line.description) == nil { errors.add("line-\(index)", "budget.error.lineDescription") }
            if line.units <= 0 || line.units > BudgetLine.maximumUnits || line.unitCostMinorUnits < 0
                || line.unitCostMinorUnits > Money.maximumMinorUnits {
                errors.add("line-\(index)", "budget.error.lineAmount")
            }
        }
        if totalMinorUnits > Money.maximumMinorUnits { errors.add("budget", "budget.error.totalTooLarge") }
        if indirectMinorUnits.saturatingMultiplied(by: 10_000) > directMinorUnits.saturatingMultiplied(by: Int64(rules.maximumIndirectBasisPoints)) {
            errors.add("indirect", "budget.error.indirectTooHigh")
        }
        if requestedMinorUnits < rules.minimumGrantMinorUnits { errors.add("requested", "budget.error.belowMinimum") }
        if requestedMinorUnits > rules.maximumGrantMinorUnits { errors.add("requested", "budget.error.aboveMaximum") }
        if requestedMinorUnits.saturatingMultiplied(by: 10_000) > totalMinorUnits.saturatingMultiplied(by: Int64(rules.maximumGrantShareBasisPoints)) {
            errors.add("requested", "budget.error.coFinancing")
        }
        return errors
    }
}
