import Foundation

/// What statistics know of one survivor record: the attributes kept in clear, where the person
/// is on the road to employment, and their consents to statistics.
public struct StatisticsRecord: Sendable {
    public let regionCode: String
    public let sex: SurvivorSex
    public let yearOfBirth: Int?
    public let harm: HarmKind
    public let hasDisability: Bool
    public let road: RoadToEmployment
    public let statisticsConsents: [ConsentRecord]
    /// The person this record is about, when records of several organisations match the same
    /// person (the intake's keyed duplicate check): such records are counted once.
    public let person: UUID?

    public var inClub: Bool { SurvivorIndicator.inClub.holds(for: road) }
    public var employed: Bool { SurvivorIndicator.employed.holds(for: road) }
    public var stillEmployedAtSixMonths: Bool { SurvivorIndicator.stillEmployedAtSixMonths.holds(for: road) }

    public init(regionCode: String, sex: SurvivorSex, yearOfBirth: Int?, harm: HarmKind, hasDisability: Bool, road: RoadToEmployment,
                statisticsConsents: [ConsentRecord], person: UUID? = nil) {
        self.person = person
        self.regionCode = regionCode
        self.sex = sex
        self.yearOfBirth = yearOfBirth
        self.harm = harm
        self.hasDisability = hasDisability
        self.road = road
        self.statisticsConsents = statisticsConsents
    }
}

/// The survivor statistics shown outside case work. Only records with an active consent to
/// non-identifiable statistics are counted, at the moment of counting (a withdrawal removes a
/// record from the next count), and every count goes through small-cell suppression.
public struct SurvivorStatistics: Sendable {
    /// A published table: rows of cells, each column protected with its total.
    public struct Table: Sendable, Equatable {
        public let rows: [String]
        public let columns: [Stage]
        /// `cells[row][column]`.
        public let cells: [[SmallCells.Cell]]
        public let totals: [SmallCells.Cell]
    }

    public enum Stage: String, CaseIterable, Sendable {
        case registered, inClub, employed, stillEmployedAtSixMonths

        public var catalogKey: String { "statistics.stage.\(rawValue)" }
    }

    /// Records counted: those with consent to statistics now, one per person.
    public let counted: [StatisticsRecord]
    public let cells: SmallCells
    public let year: Int

    public init(records: [StatisticsRecord], at instant: Date, year: Int, threshold: Int) {
        var people = Set<UUID>()
        counted = records.filter { record in
            guard ConsentRule.allows(.statistics, records: record.statisticsConsents, at: instant) else { return false }
            // The first consenting record of a person counts; the person's other records do not.
            guard let person = record.person else { return true }
            return people.insert(person).inserted
        }
        cells = SmallCells(threshold: threshold)
        self.year = year
    }

    /// The road to employment by region: how many registered, joined the Club, found work and
    /// were still in work at the 6-month follow-up.
    public func stagesByRegion(_ regionCodes: [String]) -> Table {
        let counts = regionCodes.map { code in
            let inRegion = counted.filter { $0.regionCode == code }
            return [inRegion.count, inRegion.count(where: \.inClub), inRegion.count(where: \.employed),
                    inRegion.count(where: \.stillEmployedAtSixMonths)]
        }
        return table(rows: regionCodes, columns: Stage.allCases, counts: counts)
    }

    /// One attribute's breakdown of the counted records, with how many of each are in work.
    public func breakdown<Key: Hashable>(_ keys: [Key], labels: [String], by attribute: (StatisticsRecord) -> Key) -> Table {
        let counts = keys.map { key in
            let group = counted.filter { attribute($0) == key }
            return [group.count, group.count(where: \.employed)]
        }
        return table(rows: labels, columns: [.registered, .employed], counts: counts)
    }

    public func ageBand(of record: StatisticsRecord) -> AgeBand {
        AgeBand.of(yearOfBirth: record.yearOfBirth, in: year)
    }

    /// Each column is protected on its own, with its total.
    private func table(rows: [String], columns: [Stage], counts: [[Int]]) -> Table {
        let protected = columns.indices.map { column in cells.protect(counts.map { $0[column] }) }
        return Table(rows: rows, columns: columns,
                     cells: rows.indices.map { row in protected.map { $0.cells[row] } },
                     totals: protected.map(\.total))
    }
}
