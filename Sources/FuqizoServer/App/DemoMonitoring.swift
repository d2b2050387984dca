import Fluent
import Foundation
import FuqizoCore
import Vapor

extension DemoData {
    /// The demo programme's logframe through the module's services: the programme's dates in
    /// the settings (when not set), two reporting periods, the overall objective, two specific
    /// objectives with their results and activities, indicators linked to computed definitions
    /// and one entered by hand (its first value approved by a second person), the version
    /// approved, and the first period's report made and submitted.
    static func loadMonitoring(app: Application) async throws {
        func user(_ name: String) async throws -> UUID? {
            try await User.query(on: app.db).filter(\.$email == "\(name)@demo.fuqizo.invalid").first()?.id
        }
        guard let manager = try await user("programmemanager"), let administrator = try await user("administrator") else { return }
        let logframes = LogframeService(database: app.db, services: app.services)
        guard try await logframes.versions().isEmpty else { return }
        let year = TiranaTime.today(at: app.services.clock.now()).year
        let settings = SettingsService(database: app.db, services: app.services)
        let current = try await settings.current()
        if LocalDate(current.startDate) == nil || LocalDate(current.endDate) == nil {
            var form = ProgrammeSettingsForm(current)
            (form.startDate, form.endDate, form.reference) = ("\(year - 1)-01-01", "\(year + 1)-12-31", current.reference.isEmpty ? "ENI/2025/000-123" : current.reference)
            if current.implementingOrganisation.isEmpty { form.implementingOrganisation = "Qendra Demo për Fuqizim Ekonomik" }
            _ = try await settings.update(form, actor: administrator).get()
        }
        // Open data: an invented publisher identifier (no real organisation holds it) and the
        // European Commission's DG NEAR as the funder.
        let openData = OpenDataService(database: app.db, services: app.services)
        if try await !openData.settings().isSet {
            var form = OpenDataSettingsForm()
            (form.publisherRef, form.publisherType, form.funderRef, form.funderType) = ("AL-QKB-L99999999Z", "22", "XI-IATI-EC_NEAR", "15")
            (form.activityIdentifier, form.sectors, form.budget) = ("AL-QKB-L99999999Z-FUQIZO-1", "15180 | 60\n16020 | 40", "1500000")
            (form.incomingFunds, form.givingPrefix) = ("\(year - 1)-02-15 | 600000\n\(year)-03-10 | 450000", "360G-fuqizo-demo")
            _ = try await openData.update(form, actor: administrator).get()
        }
        let dates = try await logframes.programmeDates()
        let draft = try await logframes.startDraft(actor: manager)
        _ = try await logframes.addPeriod(ReportingPeriodForm(code: "P1", kind: "interim", startsOn: dates.lowerBound.description,
                                                              endsOn: "\(year)-06-30"), to: draft, actor: manager).get()
        _ = try await logframes.addPeriod(ReportingPeriodForm(code: "P2", kind: "final", startsOn: "\(year)-07-01",
                                                              endsOn: dates.upperBound.description), to: draft, actor: manager).get()

        func entry(_ level: LogframeLevel, _ code: String, under parent: LogframeEntry?, _ sq: String, _ en: String,
                   assumptions: (String, String) = ("", "")) async throws -> LogframeEntry {
            var form = LogframeEntryForm()
            (form.level, form.code, form.parent, form.titleSq, form.titleEn) = (level.rawValue, code, parent?.id?.uuidString ?? "", sq, en)
            (form.assumptionsSq, form.assumptionsEn) = assumptions
            return try await logframes.save(form, in: draft, entry: nil, actor: manager).get()
        }
        func indicator(_ code: String, under entry: LogframeEntry, _ source: IndicatorSource, _ sq: String, _ en: String,
                       baseline: String = "", p1: String, final: String, unit: IndicatorUnit = .count, by: [Disaggregation] = []) async throws {
            var form = IndicatorForm()
            (form.code, form.nameSq, form.nameEn, form.source, form.unit) = (code, sq, en, source.code, unit.rawValue)
            (form.definitionSq, form.definitionEn) = (sq + ", e llogaritur nga të dhënat e programit deri në fund të periudhës.",
                                                      en + ", computed from the programme's records up to the end of the period.")
            if case .manual = source {
                (form.definitionSq, form.definitionEn) = (sq + ", sipas anketës vjetore të punëdhënësve partnerë.", en + ", from the yearly survey of partner employers.")
            }
            (form.direction, form.finalTarget, form.targets) = ("increase", final, ["P1": p1, "P2": final])
            (form.baseline, form.baselineYear) = (baseline, baseline.isEmpty ? "" : String(year - 1))
            (form.verificationSq, form.verificationEn) = ("Regjistrat e Fuqizo-s; raportet e OShC-ve", "Fuqizo's records; CSOs' reports")
            form.disaggregations = by.map(\.rawValue)
            _ = try await logframes.save(form, under: entry, in: draft, indicator: nil, actor: manager).get()
        }

        let overall = try await entry(.overallObjective, "OO", under: nil,
                                      "Të kontribuojë në fuqizimin ekonomik të grave dhe vajzave të mbijetuara nga trafikimi dhe dhuna në familje në Shqipëri.",
                                      "To contribute to the economic empowerment of women and girls who survived trafficking and domestic violence in Albania.")
        try await indicator("OO.1", under: overall, .computed(.survivorsInWork), "Të mbijetuara në punë ose biznes", "Survivors in work or business",
                            baseline: "0", p1: "40", final: "120", by: [.sex, .region, .ageBand])
        try await indicator("OO.2", under: overall, .computed(.survivorsStillInWorkAtSixMonths), "Të mbijetuara ende në punë pas 6 muajsh",
                            "Survivors still in work after 6 months", baseline: "0", p1: "15", final: "60", by: [.region])
        let capacity = try await entry(.specificObjective, "SO1", under: overall,
                                       "OShC-të në Tiranë, Kukës, Dibër dhe Sarandë ofrojnë shërbime fuqizimi ekonomik me kapacitet më të lartë.",
                                       "CSOs in Tirana, Kukës, Dibër and Sarandë deliver economic empowerment services with stronger capacity.",
                                       assumptions: ("OShC-të mbeten aktive gjatë gjithë programit.", "CSOs stay active throughout the programme."))
        try await indicator("SO1.1", under: capacity, .computed(.meanCapacityGain), "Rritja mesatare e kapacitetit", "Mean capacity gain",
                            p1: "0.2", final: "0.5", unit: .score, by: [.domain, .region])
        try await indicator("SO1.2", under: capacity, .computed(.csosAssessedBaseline), "OShC të vlerësuara", "CSOs assessed",
                            baseline: "0", p1: "20", final: "40", by: [.region])
        let grants = try await entry(.outcome, "R1", under: capacity, "OShC-të zbatojnë projekte me nëngrante.", "CSOs carry out sub-granted projects.")
        try await indicator("R1.1", under: grants, .computed(.grantsContracted), "Kontrata granti të nënshkruara", "Grant contracts signed",
                            baseline: "0", p1: "8", final: "16", by: [.region])
        try await indicator("R1.2", under: grants, .computed(.grantAmountDisbursed), "Shuma e paguar OShC-ve", "Amount paid to CSOs",
                            baseline: "0", p1: "150000", final: "400000", unit: .euro, by: [.region])
        let training = try await entry(.output, "O1.1", under: grants, "Stafi i OShC-ve trajnohet dhe certifikohet.", "CSO staff are trained and certified.")
        try await indicator("O1.1.1", under: training, .computed(.csoMembersTrained), "Anëtarë të OShC-ve të trajnuar", "CSO members trained",
                            baseline: "0", p1: "60", final: "150", by: [.sex, .region])
        try await indicator("O1.1.2", under: training, .computed(.csoMembersCertified), "Anëtarë të OShC-ve të certifikuar", "CSO members certified",
                            baseline: "0", p1: "30", final: "100", by: [.sex])
        let events = try await entry(.activity, "A1.1.1", under: training, "Aktivitete trajnimi për stafin e OShC-ve.", "Training events for CSO staff.")
        try await indicator("A1.1.1.1", under: events, .computed(.eventsHeld), "Aktivitete trajnimi të mbajtura", "Training events held",
                            p1: "10", final: "24", by: [.region])
        let club = try await entry(.specificObjective, "SO2", under: overall,
                                   "Të mbijetuarat kalojnë nga mbështetja në punësim përmes Klubit të Kauzës Sociale.",
                                   "Survivors move from support to employment through the Social Cause Club.",
                                   assumptions: ("Punëdhënësit janë të gatshëm të punësojnë.", "Employers are willing to hire."))
        let road = try await entry(.outcome, "R2", under: club, "Të mbijetuarat marrin pjesë në Klub dhe kanë plan individual.",
                                   "Survivors take part in the Club and have an individual plan.")
        try await indicator("R2.1", under: road, .computed(.survivorsInClub), "Të mbijetuara në Klub", "Survivors in the Club",
                            baseline: "0", p1: "80", final: "200", by: [.sex, .ageBand, .region, .disability, .harm])
        try await indicator("R2.2", under: road, .computed(.survivorsWithPlan), "Të mbijetuara me plan individual", "Survivors with an individual plan",
                            baseline: "0", p1: "70", final: "180", by: [.region])
        let campaigns = try await entry(.output, "O2.1", under: road, "Fushatat ndërgjegjësuese arrijnë komunitetet dhe punëdhënësit.",
                                        "Awareness campaigns reach communities and employers.")
        try await indicator("O2.1.1", under: campaigns, .computed(.peopleReached), "Persona të arritur nga fushatat", "People reached by campaigns",
                            p1: "5000", final: "20000", by: [.sex, .region])
        try await indicator("O2.1.2", under: campaigns, .computed(.mediaMentions), "Përmendje në media", "Media mentions", p1: "10", final: "30")
        let employers = try await entry(.output, "O2.2", under: road, "Punëdhënësit partnerë janë të kënaqur me punën e të mbijetuarave.",
                                        "Partner employers are satisfied with the survivors' work.")
        try await indicator("O2.2.1", under: employers, .manual, "Punëdhënës të kënaqur", "Employers satisfied", p1: "60", final: "80", unit: .percent)
        _ = try await entry(.activity, "A2.2.1", under: employers, "Anketa vjetore e punëdhënësve partnerë.", "Yearly survey of partner employers.")

        try await logframes.approve(draft, reason: "Logframe of the grant contract, as agreed with the EU Delegation", actor: manager)
        let tree = try await logframes.tree(draft)
        let values = IndicatorValueService(database: app.db, services: app.services)
        let survey = try await values.enter(ManualValueForm(indicator: "O2.2.1", period: "P1", value: "72,5",
                                                            evidence: "Anketa e punëdhënësve, 40 përgjigje nga 52 punëdhënës; dosja M&E/2026/03"),
                                            in: tree, actor: manager).get()
        try await values.review(survey, approve: true, note: "", actor: administrator)
        let reports = DonorReportService(database: app.db, services: app.services)
        let report = try await reports.make(period: "P1", actor: manager)
        _ = try await reports.comment(report, comments: ["OO.1": "Punësimi filloi pas hapjes së Klubit në të katër rajonet.",
                                                         "R1.2": "Parafinancimi u pagua për të gjitha kontratat e nënshkruara."],
                                      codes: Set(tree.indicators.map(\.code)), actor: manager)
        try await reports.submit(report, reason: "Interim report sent to the EU Delegation", actor: manager)
    }
}
