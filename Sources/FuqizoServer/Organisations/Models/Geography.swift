import Fluent
import Foundation

/// One of Albania's 12 counties (qarqe), with its ISO 3166-2:AL code.
final class County: Model, @unchecked Sendable {
    static let schema = "counties"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "iso_code") var isoCode: String
    @Field(key: "name_sq") var nameSq: String
    @Field(key: "name_en") var nameEn: String

    // relationships
    @Children(for: \.$county) var municipalities: [Municipality]

    init() {}

    init(isoCode: String, nameSq: String, nameEn: String) {
        self.isoCode = isoCode
        self.nameSq = nameSq
        self.nameEn = nameEn
    }
}

/// One of the 61 municipalities (bashki) of the 2015 territorial reform.
final class Municipality: Model, @unchecked Sendable {
    static let schema = "municipalities"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "name") var name: String

    // relationships
    @Parent(key: "county_id") var county: County

    init() {}

    init(name: String, countyID: UUID) {
        self.name = name
        self.$county.id = countyID
    }
}

/// A programme region: a named, editable set of municipalities (Tiranë, Kukës, Dibër, Sarandë
/// by default).
final class ProgrammeRegion: Model, @unchecked Sendable {
    static let schema = "programme_regions"

    // managed fields
    @ID(key: .id) var id: UUID?

    // data fields
    @Field(key: "code") var code: String
    @Field(key: "name_sq") var nameSq: String
    @Field(key: "name_en") var nameEn: String

    // relationships
    @Siblings(through: RegionMunicipality.self, from: \.$region, to: \.$municipality) var municipalities: [Municipality]

    init() {}

    init(code: String, nameSq: String, nameEn: String) {
        self.code = code
        self.nameSq = nameSq
        self.nameEn = nameEn
    }
}

final class RegionMunicipality: Model, @unchecked Sendable {
    static let schema = "region_municipalities"

    // managed fields
    @ID(key: .id) var id: UUID?

    // relationships
    @Parent(key: "region_id") var region: ProgrammeRegion
    @Parent(key: "municipality_id") var municipality: Municipality

    init() {}
}
