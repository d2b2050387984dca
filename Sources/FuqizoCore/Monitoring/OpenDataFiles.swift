import Foundation

/// The programme as open data, in the shape both writers need: nothing personal, no survivor
/// data at all, indicator values only as submitted to the donor and only where the public may
/// see them (the server leaves out any count of people below the public threshold).
public struct OpenDataProgramme: Sendable {
    public struct Movement: Sendable {
        public let on: LocalDate
        public let minorUnits: Int64

        public init(on: LocalDate, minorUnits: Int64) { (self.on, self.minorUnits) = (on, minorUnits) }
    }

    /// A sub-grant to a CSO, from its signed contract.
    public struct SubGrant: Sendable {
        public let number: String
        public let recipientName: String
        /// The CSO's IATI organisation identifier when its registration number reads as one.
        public let recipientRef: String?
        public let regionName: String?
        public let callReference: String
        public let callTitleSq: String
        public let callTitleEn: String
        public let awardedOn: LocalDate
        public let signedOn: LocalDate
        public let startsOn: LocalDate
        public let endsOn: LocalDate
        public let minorUnits: Int64
        public let payments: [Movement]
        public let recoveries: [Movement]

        public init(number: String, recipientName: String, recipientRef: String?, regionName: String?, callReference: String, callTitleSq: String,
                    callTitleEn: String, awardedOn: LocalDate, signedOn: LocalDate, startsOn: LocalDate, endsOn: LocalDate, minorUnits: Int64,
                    payments: [Movement], recoveries: [Movement]) {
            (self.number, self.recipientName, self.recipientRef, self.regionName) = (number, recipientName, recipientRef, regionName)
            (self.callReference, self.callTitleSq, self.callTitleEn) = (callReference, callTitleSq, callTitleEn)
            (self.awardedOn, self.signedOn, self.startsOn, self.endsOn) = (awardedOn, signedOn, startsOn, endsOn)
            (self.minorUnits, self.payments, self.recoveries) = (minorUnits, payments, recoveries)
        }

        public var netPaidMinorUnits: Int64 {
            payments.map(\.minorUnits).saturatingSum().saturatingAdding(-recoveries.map(\.minorUnits).saturatingSum())
        }
    }

    public struct Indicator: Sendable {
        public struct Period: Sendable {
            public let startsOn: LocalDate
            public let endsOn: LocalDate
            public let target: Int64?
            /// As submitted to the donor; nil when not submitted yet or not for the public.
            public let actual: Int64?

            public init(startsOn: LocalDate, endsOn: LocalDate, target: Int64?, actual: Int64?) {
                (self.startsOn, self.endsOn, self.target, self.actual) = (startsOn, endsOn, target, actual)
            }
        }

        public let titleSq: String
        public let titleEn: String
        public let unit: IndicatorUnit
        public let direction: IndicatorDirection
        public let baseline: Int64?
        public let baselineYear: Int?
        public let periods: [Period]

        public init(titleSq: String, titleEn: String, unit: IndicatorUnit, direction: IndicatorDirection, baseline: Int64?, baselineYear: Int?,
                    periods: [Period]) {
            (self.titleSq, self.titleEn, self.unit, self.direction) = (titleSq, titleEn, unit, direction)
            (self.baseline, self.baselineYear, self.periods) = (baseline, baselineYear, periods)
        }
    }

    public struct Result: Sendable {
        public let level: LogframeLevel
        public let titleSq: String
        public let titleEn: String
        public let indicators: [Indicator]

        public init(level: LogframeLevel, titleSq: String, titleEn: String, indicators: [Indicator]) {
            (self.level, self.titleSq, self.titleEn, self.indicators) = (level, titleSq, titleEn, indicators)
        }
    }

    public let settings: ProgrammeSettings
    public let openData: OpenDataSettings
    public let descriptionSq: String
    public let descriptionEn: String
    public let today: LocalDate
    public let generatedAt: Date
    public let subGrants: [SubGrant]
    public let results: [Result]

    /// Who publishes: the implementing organisation, or the programme when it is not named.
    public var publisherName: String {
        settings.implementingOrganisation.isEmpty ? settings.programmeNameSq : settings.implementingOrganisation
    }

    public init(settings: ProgrammeSettings, openData: OpenDataSettings, descriptionSq: String, descriptionEn: String, today: LocalDate,
                generatedAt: Date, subGrants: [SubGrant], results: [Result]) {
        (self.settings, self.openData, self.descriptionSq, self.descriptionEn) = (settings, openData, descriptionSq, descriptionEn)
        (self.today, self.generatedAt, self.subGrants, self.results) = (today, generatedAt, subGrants, results)
    }

    /// An Albanian registration number (NUIS: a letter, eight digits, a letter) as an IATI
    /// identifier under the National Business Center's prefix; nil for anything else.
    public static func albanianIdentifier(_ registration: String) -> String? {
        let text = registration.trimmingCharacters(in: .whitespaces).uppercased()
        let characters = Array(text)
        guard characters.count == 10, characters[0].isASCII, characters[0].isLetter, characters[9].isASCII, characters[9].isLetter,
              characters[1...8].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return "AL-QKB-" + text
    }
}

/// A minimal XML writer: elements in the order given (the IATI schemas are sequences), every
/// attribute and text escaped.
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    static func escaped(_ value: String) -> String { SVGChart.escaped(value) }

    private func attributes(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in value.map { " \(name)=\"\(Self.escaped($0))\"" } }.joined()
    }

    mutating func open(_ name: String, _ pairs: [(String, String?)] = []) {
        text += String(repeating: "  ", count: depth) + "<\(name)\(attributes(pairs))>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ pairs: [(String, String?)] = [], text content: String? = nil) {
        let indent = String(repeating: "  ", count: depth)
        if let content { text += indent + "<\(name)\(attributes(pairs))>\(Self.escaped(content))</\(name)>\n" } else { text += indent + "<\(name)\(attributes(pairs))/>\n" }
    }

    mutating func element(_ name: String, _ pairs: [(String, String?)] = [], _ body: (inout XMLWriter) -> Void) {
        open(name, pairs)
        body(&self)
        close(name)
    }

    /// Narratives in both languages, Albanian first.
    mutating func narratives(_ name: String, _ pairs: [(String, String?)] = [], sq: String, en: String) {
        element(name, pairs) { xml in
            if !sq.isEmpty { xml.leaf("narrative", [("xml:lang", "sq")], text: sq) }
            if !en.isEmpty { xml.leaf("narrative", [("xml:lang", "en")], text: en) }
        }
    }
}

/// The IATI 2.03 activity and organisation files: the programme as one activity, its sub-grants
/// as outgoing commitments and disbursements to the CSOs, its logframe as results.
public enum IATIFiles {
    /// A decimal as IATI writes values: "250000.00" for money, "72.5" for a share, "120" for a count.
    static func decimal(_ value: Int64, _ unit: IndicatorUnit) -> String {
        unit == .count ? String(value) : IndicatorQuantity.typed(value, unit: unit)
    }

    static func money(_ minorUnits: Int64) -> String {
        let magnitude = minorUnits.magnitude
        return "\(minorUnits < 0 ? "-" : "")\(magnitude / 100).\(String(format: "%02d", Int(magnitude % 100)))"
    }

    static func instant(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// IATI ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation (after the end, until closed).
    static func status(_ programme: OpenDataProgramme) -> String {
        guard let start = LocalDate(programme.settings.startDate), let end = LocalDate(programme.settings.endDate) else { return "2" }
        if programme.today < start { return "1" }
        return programme.today <= end ? "2" : "3"
    }

    /// IATI ResultType: the objectives are impact, outcomes outcome, outputs output.
    static func resultType(_ level: LogframeLevel) -> String {
        switch level {
        case .overallObjective, .specificObjective: "3"
        case .outcome: "2"
        case .output: "1"
        case .activity: "9"
        }
    }

    public static func activities(_ programme: OpenDataProgramme) -> String {
        let settings = programme.settings, open = programme.openData
        let generated = instant(programme.generatedAt)
        var xml = XMLWriter()
        xml.open("iati-activities", [("version", "2.03"), ("generated-datetime", generated)])
        xml.element("iati-activity", [("last-updated-datetime", generated), ("xml:lang", "sq"), ("default-currency", "EUR"),
                                      ("humanitarian", "0"), ("hierarchy", "1")]) { xml in
            xml.leaf("iati-identifier", text: open.activityIdentifier)
            xml.narratives("reporting-org", [("ref", open.publisherRef), ("type", open.publisherType)], sq: programme.publisherName, en: "")
            xml.narratives("title", sq: settings.programmeNameSq, en: settings.programmeNameEn)
            xml.narratives("description", [("type", "1")], sq: programme.descriptionSq, en: programme.descriptionEn)
            xml.narratives("participating-org", [("ref", open.funderRef), ("type", open.funderType), ("role", "1")], sq: "", en: settings.donor)
            for role in ["2", "4"] {
                xml.narratives("participating-org", [("ref", open.publisherRef), ("type", open.publisherType), ("role", role)],
                               sq: programme.publisherName, en: "")
            }
            xml.leaf("activity-status", [("code", status(programme))])
            if let start = LocalDate(settings.startDate) {
                xml.leaf("activity-date", [("type", "1"), ("iso-date", start.description)])
                if start <= programme.today { xml.leaf("activity-date", [("type", "2"), ("iso-date", start.description)]) }
            }
            if let end = LocalDate(settings.endDate) { xml.leaf("activity-date", [("type", "3"), ("iso-date", end.description)]) }
            xml.leaf("activity-scope", [("code", "4")])
            xml.leaf("recipient-country", [("code", "AL"), ("percentage", "100")])
            for sector in open.sectors {
                xml.leaf("sector", [("vocabulary", "1"), ("code", sector.code), ("percentage", String(sector.percentage))])
            }
            xml.leaf("collaboration-type", [("code", "1")])
            xml.leaf("default-flow-type", [("code", "10")])
            xml.leaf("default-finance-type", [("code", "110")])
            xml.leaf("default-aid-type", [("vocabulary", "1"), ("code", "C01")])
            xml.leaf("default-tied-status", [("code", "5")])
            if open.budgetMinorUnits > 0, let start = LocalDate(settings.startDate), let end = LocalDate(settings.endDate) {
                xml.element("budget", [("type", "1"), ("status", "2")]) { xml in
                    xml.leaf("period-start", [("iso-date", start.description)])
                    xml.leaf("period-end", [("iso-date", end.description)])
                    xml.leaf("value", [("currency", "EUR"), ("value-date", start.description)], text: money(open.budgetMinorUnits))
                }
            }
            for funds in open.incomingFunds {
                transaction(&xml, type: "1", on: funds.receivedOn, minorUnits: funds.minorUnits, descriptionEn: "Funds received from the donor",
                            provider: (open.funderRef, open.funderType, settings.donor), receiver: (open.publisherRef, open.publisherType, programme.publisherName))
            }
            for grant in programme.subGrants {
                let receiver = (grant.recipientRef, String?.none, grant.recipientName)
                transaction(&xml, type: "2", on: grant.signedOn, minorUnits: grant.minorUnits, descriptionEn: "Sub-grant \(grant.number) (call \(grant.callReference))",
                            provider: (open.publisherRef, open.publisherType, programme.publisherName), receiver: receiver)
                for payment in grant.payments {
                    transaction(&xml, type: "3", on: payment.on, minorUnits: payment.minorUnits, descriptionEn: "Payment of sub-grant \(grant.number)",
                                provider: (open.publisherRef, open.publisherType, programme.publisherName), receiver: receiver)
                }
                // Money paid back is written as a negative disbursement, as IATI advises for refunds.
                for recovery in grant.recoveries {
                    transaction(&xml, type: "3", on: recovery.on, minorUnits: -recovery.minorUnits, descriptionEn: "Recovered from sub-grant \(grant.number)",
                                provider: (open.publisherRef, open.publisherType, programme.publisherName), receiver: receiver)
                }
            }
            for result in programme.results where !result.indicators.isEmpty {
                xml.element("result", [("type", resultType(result.level)), ("aggregation-status", "0")]) { xml in
                    xml.narratives("title", sq: result.titleSq, en: result.titleEn)
                    for indicator in result.indicators {
                        let measure = indicator.unit == .percent ? "2" : "1"
                        xml.element("indicator", [("measure", measure), ("ascending", indicator.direction == .decrease ? "0" : "1")]) { xml in
                            xml.narratives("title", sq: indicator.titleSq, en: indicator.titleEn)
                            if let baseline = indicator.baseline, let year = indicator.baselineYear {
                                xml.leaf("baseline", [("year", String(year)), ("value", decimal(baseline, indicator.unit))])
                            }
                            for period in indicator.periods where period.target != nil || period.actual != nil {
                                xml.element("period") { xml in
                                    xml.leaf("period-start", [("iso-date", period.startsOn.description)])
                                    xml.leaf("period-end", [("iso-date", period.endsOn.description)])
                                    if let target = period.target { xml.leaf("target", [("value", decimal(target, indicator.unit))]) }
                                    if let actual = period.actual { xml.leaf("actual", [("value", decimal(actual, indicator.unit))]) }
                                }
                            }
                        }
                    }
                }
            }
        }
        xml.close("iati-activities")
        return xml.text
    }

    private static func transaction(_ xml: inout XMLWriter, type: String, on day: LocalDate, minorUnits: Int64, descriptionEn: String,
                                    provider: (String?, String?, String), receiver: (String?, String?, String)) {
        xml.element("transaction") { xml in
            xml.leaf("transaction-type", [("code", type)])
            xml.leaf("transaction-date", [("iso-date", day.description)])
            xml.leaf("value", [("currency", "EUR"), ("value-date", day.description)], text: money(minorUnits))
            xml.narratives("description", sq: "", en: descriptionEn)
            xml.narratives("provider-org", [("ref", provider.0), ("type", provider.1)], sq: provider.2, en: "")
            xml.narratives("receiver-org", [("ref", receiver.0), ("type", receiver.1)], sq: receiver.2, en: "")
        }
    }

    /// The organisation file: the publisher, with the programme's budget as its total budget.
    public static func organisations(_ programme: OpenDataProgramme) -> String {
        let settings = programme.settings, open = programme.openData
        let generated = instant(programme.generatedAt)
        var xml = XMLWriter()
        xml.open("iati-organisations", [("version", "2.03"), ("generated-datetime", generated)])
        xml.element("iati-organisation", [("last-updated-datetime", generated), ("xml:lang", "sq"), ("default-currency", "EUR")]) { xml in
            xml.leaf("organisation-identifier", text: open.publisherRef)
            xml.narratives("name", sq: programme.publisherName, en: "")
            xml.narratives("reporting-org", [("ref", open.publisherRef), ("type", open.publisherType)], sq: programme.publisherName, en: "")
            if open.budgetMinorUnits > 0, let start = LocalDate(settings.startDate), let end = LocalDate(settings.endDate) {
                xml.element("total-budget", [("status", "2")]) { xml in
                    xml.leaf("period-start", [("iso-date", start.description)])
                    xml.leaf("period-end", [("iso-date", end.description)])
                    xml.leaf("value", [("currency", "EUR"), ("value-date", start.description)], text: money(open.budgetMinorUnits))
                }
            }
        }
        xml.close("iati-organisations")
        return xml.text
    }
}

/// The sub-grants as a 360Giving 1.4 data package.
public enum GivingPackage {
    struct Organisation: Encodable {
        let id: String
        let name: String
        var addressCountry: String?
    }

    struct Dates: Encodable {
        let startDate: String
        let endDate: String
    }

    struct Location: Encodable {
        let name: String
        let countryCode: String
    }

    struct Programme: Encodable {
        let code: String
        let title: String
    }

    struct Grant: Encodable {
        let id: String
        let title: String
        let description: String
        let currency: String
        let amountAwarded: Decimal
        let amountDisbursed: Decimal
        let awardDate: String
        let plannedDates: [Dates]
        let recipientOrganization: [Organisation]
        let fundingOrganization: [Organisation]
        let beneficiaryLocation: [Location]
        let grantProgramme: [Programme]
        let fromOpenCall: String
        let dateModified: String
    }

    struct Package: Encodable {
        let version: String
        let grants: [Grant]
    }

    static func amount(_ minorUnits: Int64) -> Decimal { Decimal(minorUnits) / 100 }

    public static func json(_ programme: OpenDataProgramme) throws -> Data {
        let open = programme.openData, settings = programme.settings
        let modified = IATIFiles.instant(programme.generatedAt)
        let funder = Organisation(id: open.publisherRef, name: programme.publisherName)
        let grants = programme.subGrants.map { grant in
            Grant(
                id: "\(open.givingPrefix)-\(grant.number)", title: "\(grant.callTitleEn) — \(grant.recipientName)",
                description: "Sub-grant \(grant.number) under call \(grant.callReference) of \(settings.programmeNameEn), to \(grant.recipientName)"
                    + (grant.regionName.map { " (\($0))" } ?? "") + ".",
                currency: "EUR", amountAwarded: amount(grant.minorUnits), amountDisbursed: amount(max(0, grant.netPaidMinorUnits)),
                awardDate: grant.awardedOn.description, plannedDates: [Dates(startDate: grant.startsOn.description, endDate: grant.endsOn.description)],
                // A CSO without an identifier gets one under the publisher's prefix, from its contract.
                recipientOrganization: [Organisation(id: grant.recipientRef ?? "\(open.givingPrefix)-org-\(grant.number)", name: grant.recipientName,
                                                     addressCountry: "Albania")],
                fundingOrganization: [funder],
                beneficiaryLocation: [Location(name: grant.regionName ?? "Albania", countryCode: "AL")],
                grantProgramme: [Programme(code: grant.callReference, title: grant.callTitleEn)], fromOpenCall: "Yes", dateModified: modified)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Package(version: "1.4", grants: grants))
    }
}
