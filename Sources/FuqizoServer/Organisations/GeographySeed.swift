import Fluent
import Foundation

/// Loads Albania's counties and municipalities and the default programme regions from the
/// reference CSV (county_iso, county_sq, county_en, municipality_sq, programme_region).
enum GeographySeed {
    /// The default regions: code (used in survivor codes such as `KU-2019-0042`), Albanian and
    /// English names. The CSV's `programme_region` column names them in Albanian.
    static let defaultRegions: [(code: String, nameSq: String, nameEn: String)] = [
        ("TR", "Tiranë", "Tirana"),
        ("KU", "Kukës", "Kukës"),
        ("DI", "Dibër", "Dibër"),
        ("SA", "Sarandë", "Saranda"),
    ]

    struct Row {
        let countyISO, countySq, countyEn, municipality, region: String
    }

    static func rows(from url: URL) throws -> [Row] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 5 else { return nil }
            return Row(countyISO: cells[0], countySq: cells[1], countyEn: cells[2], municipality: cells[3], region: cells[4])
        }
    }

    static func load(from url: URL, on database: any Database) async throws {
        let rows = try rows(from: url)
        var counties: [String: UUID] = [:]
        var regions: [String: UUID] = [:]
        for region in defaultRegions {
            let model = ProgrammeRegion(code: region.code, nameSq: region.nameSq, nameEn: region.nameEn)
            try await model.create(on: database)
            regions[region.nameSq] = try model.requireID()
        }
        for row in rows {
            if counties[row.countyISO] == nil {
                let county = County(isoCode: row.countyISO, nameSq: row.countySq, nameEn: row.countyEn)
                try await county.create(on: database)
                counties[row.countyISO] = try county.requireID()
            }
            let municipality = Municipality(name: row.municipality, countyID: counties[row.countyISO]!)
            try await municipality.create(on: database)
            if let regionID = regions[row.region] {
                let link = RegionMunicipality()
                link.$region.id = regionID
                link.$municipality.id = try municipality.requireID()
                try await link.create(on: database)
            }
        }
    }
}
