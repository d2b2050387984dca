import Foundation

public enum CallStages: String, CaseIterable, Codable, Sendable {
    /// Full applications only.
    case single
    /// A concept note first; full applications from pre-selected applicants.
    case two

    public var catalogKey: String { "call.stages.\(rawValue)" }
}

public enum CallStatus: String, CaseIterable, Codable, Sendable {
    case draft
    case published
    case closed

    public var catalogKey: String { "call.status.\(rawValue)" }
}

/// A lot of a call as typed: usually one per programme region, with its financial envelope.
public struct LotForm: Codable, Sendable, Equatable {
    public var regionID: String
    public var nameSq: String
    public var nameEn: String
    public var envelope: String

    public init(regionID: String = "", nameSq: String = "", nameEn: String = "", envelope: String = "") {
        self.regionID = regionID
        self.nameSq = nameSq
        self.nameEn = nameEn
        self.envelope = envelope
    }
}

/// The call form as typed (every field text, so a form with errors comes back as it was).
public struct CallForm: Codable, Sendable, Equatable {
    public var reference = ""
    public var titleSq = ""
    public var titleEn = ""
    public var summarySq = ""
    public var summaryEn = ""
    public var stages = CallStages.two.rawValue
    public var currency = "EUR"
    public var minimumGrant = "10000"
    public var maximumGrant = "60000"
    public var maximumGrantShare = "90"
    public var maximumIndirect = "7"
    public var divergence = "30"
    /// "yes" when evaluators must not see who applied.
    public var blindReview = ""
    public var evaluatorsPerApplication = "2"
    public var letterDays = "15"
    public var evaluationDays = "21"
    /// The contracts' rules (`ContractSettings`), in percent, months and days.
    public var preFinancing = "80"
    public var furtherTrancheSpent = "70"
    public var preFinancingCap = "90"
    public var periodMonths = "12"
    public var interimReportDays = "30"
    public var finalReportDays = "60"
    public var transferWithoutAmendment = "25"
    public var reminderDaysBefore = "7"
    /// The lists in Albanian (one item a line) and in English.
    public var eligibleApplicants = ""
    public var eligibleActivities = ""
    public var eligibleApplicantsEn = ""
    public var eligibleActivitiesEn = ""
    public var questionsDate = ""
    public var questionsTime = "16:00"
    public var conceptDate = ""
    public var conceptTime = "16:00"
    public var fullDate = ""
    public var fullTime = "16:00"
    public var lots: [LotForm] = []

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        reference = try form.text(.reference)
        titleSq = try form.text(.titleSq)
        titleEn = try form.text(.titleEn)
        summarySq = try form.text(.summarySq)
        summaryEn = try form.text(.summaryEn)
        stages = try form.text(.stages)
        currency = try form.text(.currency)
        minimumGrant = try form.text(.minimumGrant)
        maximumGrant = try form.text(.maximumGrant)
        maximumGrantShare = try form.text(.maximumGrantShare)
        maximumIndirect = try form.text(.maximumIndirect)
        divergence = try form.text(.divergence)
        blindReview = try form.text(.blindReview)
        // Forms from before these settings existed get PRAG's defaults.
        evaluatorsPerApplication = try form.decodeIfPresent(String.self, forKey: .evaluatorsPerApplication) ?? evaluatorsPerApplication
        letterDays = try form.decodeIfPresent(String.self, forKey: .letterDays) ?? letterDays
        evaluationDays = try form.decodeIfPresent(String.self, forKey: .evaluationDays) ?? evaluationDays
        preFinancing = try form.decodeIfPresent(String.self, forKey: .preFinancing) ?? preFinancing
        furtherTrancheSpent = try form.decodeIfPresent(String.self, forKey: .furtherTrancheSpent) ?? furtherTrancheSpent
        preFinancingCap = try form.decodeIfPresent(String.self, forKey: .preFinancingCap) ?? preFinancingCap
        periodMonths = try form.decodeIfPresent(String.self, forKey: .periodMonths) ?? periodMonths
        interimReportDays = try form.decodeIfPresent(String.self, forKey: .interimReportDays) ?? interimReportDays
        finalReportDays = try form.decodeIfPresent(String.self, forKey: .finalReportDays) ?? finalReportDays
        transferWithoutAmendment = try form.decodeIfPresent(String.self, forKey: .transferWithoutAmendment) ?? transferWithoutAmendment
        reminderDaysBefore = try form.decodeIfPresent(String.self, forKey: .reminderDaysBefore) ?? reminderDaysBefore
        eligibleApplicants = try form.text(.eligibleApplicants)
        eligibleActivities = try form.text(.eligibleActivities)
        eligibleApplicantsEn = try form.text(.eligibleApplicantsEn)
        eligibleActivitiesEn = try form.text(.eligibleActivitiesEn)
        questionsDate = try form.text(.questionsDate)
        questionsTime = try form.text(.questionsTime)
        conceptDate = try form.text(.conceptDate)
        conceptTime = try form.text(.conceptTime)
        fullDate = try form.text(.fullDate)
        fullTime = try form.text(.fullTime)
        lots = try form.decodeIfPresent([LotForm].self, forKey: .lots) ?? []
    }
}

/// A validated call, ready to store.
public struct CallDraft: Sendable, Equatable {
    public struct Lot: Sendable, Equatable {
        public var regionID: UUID?
        public var nameSq: String
        public var nameEn: String
        public var envelopeMinorUnits: Int64
    }

    public var reference: String
    public var titleSq: String
    public var titleEn: String
    public var summarySq: String
    public var summaryEn: String
    public var stages: CallStages
    public var currency: String
    public var rules: GrantRules
    public var divergenceBasisPoints: Int
    public var blindReview: Bool
    /// How many voting evaluators score each application (PRAG: at least two).
    public var evaluatorsPerApplication: Int
    /// Successful applicants are told within this many days of the decision, the others
    /// within as many days again (PRAG: 15).
    public var letterDays: Int
    /// Evaluators declare and score within this many days of the evaluation's start.
    public var evaluationDays: Int
    public var eligibleApplicants: [String]
    public var eligibleActivities: [String]
    public var eligibleApplicantsEn: [String]
    public var eligibleActivitiesEn: [String]
    public var questionsDeadline: Date
    public var conceptDeadline: Date?
    public var fullDeadline: Date
    public var lots: [Lot]
}

extension CallForm {
    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { Text.clean(String($0)) }
    }

    public func validated() -> Result<CallDraft, FieldErrors> {
        var errors = FieldErrors()
        let ref = reference.trimmingCharacters(in: .whitespaces).uppercased()
        if ref.range(of: #"^CFP-[0-9]{4}-[0-9]{2}$"#, options: .regularExpression) == nil { errors.add("reference", "call.error.reference") }
        if Text.clean(titleSq) == nil { errors.add("titleSq", "form.error.required") }
        if Text.clean(titleEn) == nil { errors.add("titleEn", "form.error.required") }
        let stageChoice = CallStages(rawValue: stages)
        if stageChoice == nil { errors.add("stages", "form.error.choose") }
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        if code.count != 3 || !code.allSatisfy({ $0.isASCII && $0.isLetter }) { errors.add("currency", "settings.error.currency") }
        let minimum = Money(parsing: minimumGrant, currency: code), maximum = Money(parsing: maximumGrant, currency: code)
        if minimum == nil { errors.add("minimumGrant", "call.error.amount") }
        if maximum == nil { errors.add("maximumGrant", "call.error.amount") }
        if let minimum, let maximum, maximum < minimum { errors.add("maximumGrant", "call.error.maximumBelowMinimum") }
        func percent(_ text: String, _ field: String, _ range: ClosedRange<Int>) -> Int {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")), range.contains(value) else {
                errors.add(field, "settings.error.range")
                return 0
            }
            return value * 100
        }
        let share = percent(maximumGrantShare, "maximumGrantShare", 1...100)
        let indirect = percent(maximumIndirect, "maximumIndirect", 0...25)
        let divergenceShare = percent(divergence, "divergence", 1...100)
        func whole(_ text: String, _ field: String, _ range: ClosedRange<Int>) -> Int {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                errors.add(field, "settings.error.range")
                return range.lowerBound
            }
            return value
        }
        let perApplication = whole(evaluatorsPerApplication, "evaluatorsPerApplication", 2...9)
        let days = whole(letterDays, "letterDays", 1...90)
        let evaluationPeriod = whole(evaluationDays, "evaluationDays", 1...120)
        let contract = ContractSettings(
            preFinancingBasisPoints: percent(preFinancing, "preFinancing", 0...100),
            furtherTrancheSpentBasisPoints: percent(furtherTrancheSpent, "furtherTrancheSpent", 0...100),
            preFinancingCapBasisPoints: percent(preFinancingCap, "preFinancingCap", 0...100),
            periodMonths: whole(periodMonths, "periodMonths", 1...60),
            interimReportDays: whole(interimReportDays, "interimReportDays", 0...365),
            finalReportDays: whole(finalReportDays, "finalReportDays", 0...365),
            transferWithoutAmendmentBasisPoints: percent(transferWithoutAmendment, "transferWithoutAmendment", 0...100),
            reminderDaysBefore: whole(reminderDaysBefore, "reminderDaysBefore", 0...60))
        if contract.preFinancingBasisPoints > contract.preFinancingCapBasisPoints { errors.add("preFinancing", "contractSettings.error.preFinancing") }
        let applicants = Self.lines(eligibleApplicants), activities = Self.lines(eligibleActivities)
        if applicants.isEmpty { errors.add("eligibleApplicants", "call.error.list") }
        if activities.isEmpty { errors.add("eligibleActivities", "call.error.list") }
        let applicantsEn = Self.lines(eligibleApplicantsEn), activitiesEn = Self.lines(eligibleActivitiesEn)
        if applicantsEn.isEmpty { errors.add("eligibleApplicantsEn", "call.error.list") }
        if activitiesEn.isEmpty { errors.add("eligibleActivitiesEn", "call.error.list") }
        func deadline(_ date: String, _ time: String, _ field: String, required: Bool) -> Date? {
            if Text.clean(date) == nil, !required { return nil }
            guard let instant = TiranaTime.instant(date: date, time: time) else {
                errors.add(field, "call.error.deadline")
                return nil
            }
            return instant
        }
        let questions = deadline(questionsDate, questionsTime, "questionsDate", required: true)
        let concept = deadline(conceptDate, conceptTime, "conceptDate", required: stageChoice == .two)
        let full = deadline(fullDate, fullTime, "fullDate", required: true)
        if let questions, let first = concept ?? full, questions >= first { errors.add("questionsDate", "call.error.questionsAfterDeadline") }
        if let concept, let full, full <= concept { errors.add("fullDate", "call.error.fullBeforeConcept") }
        var parsedLots: [CallDraft.Lot] = []
        for (index, lot) in lots.enumerated() {
            let name = Text.clean(lot.nameSq), envelope = Money(parsing: lot.envelope, currency: code)
            if name == nil, Text.clean(lot.envelope) == nil { continue }
            if name == nil { errors.add("lot-\(index)", "call.error.lotName") }
            if envelope == nil || envelope!.minorUnits <= 0 { errors.add("lot-\(index)", "call.error.envelope") }
            if let name, let envelope {
                parsedLots.append(.init(regionID: UUID(uuidString: lot.regionID), nameSq: name,
                                        nameEn: Text.clean(lot.nameEn) ?? name, envelopeMinorUnits: envelope.minorUnits))
            }
        }
        if parsedLots.isEmpty, !lots.contains(where: { Text.clean($0.nameSq) != nil || Text.clean($0.envelope) != nil }) {
            errors.add("lots", "call.error.noLots")
        }
        guard errors.isEmpty, let stageChoice, let minimum, let maximum, let questions, let full else { return .failure(errors) }
        return .success(CallDraft(
            reference: ref, titleSq: Text.clean(titleSq)!, titleEn: Text.clean(titleEn)!,
            summarySq: Text.clean(summarySq) ?? "", summaryEn: Text.clean(summaryEn) ?? "", stages: stageChoice, currency: code,
            rules: GrantRules(minimumGrantMinorUnits: minimum.minorUnits, maximumGrantMinorUnits: maximum.minorUnits,
                              maximumGrantShareBasisPoints: share, maximumIndirectBasisPoints: indirect, contract: contract),
            divergenceBasisPoints: divergenceShare, blindReview: blindReview == "yes",
            evaluatorsPerApplication: perApplication, letterDays: days, evaluationDays: evaluationPeriod, eligibleApplicants: applicants, eligibleActivities: activities,
            eligibleApplicantsEn: applicantsEn, eligibleActivitiesEn: activitiesEn,
            questionsDeadline: questions, conceptDeadline: stageChoice == .two ? concept : nil, fullDeadline: full, lots: parsedLots))
    }
}
