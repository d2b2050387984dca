import Foundation

/// The plain facts every computed indicator is defined over: what the operational modules
/// recorded, with the day each thing happened (Tirana time), and nothing personal. The server
/// reads them with a few grouped queries; the definitions in `ComputedIndicator` decide what
/// counts, so the same rule is tested here on hand-made facts and applied there on real data.
public struct ProgrammeFacts: Sendable {
    /// A round of a CSO's self-assessment, counted once confirmed.
    public struct Assessment: Sendable {
        public let organisation: UUID
        public let region: String?
        public let round: RoundKind
        public let confirmedOn: LocalDate
        public let domainScores: [String: CapacityScore]

        public init(organisation: UUID, region: String?, round: RoundKind, confirmedOn: LocalDate, domainScores: [String: CapacityScore]) {
            (self.organisation, self.region, self.round, self.confirmedOn, self.domainScores) =
                (organisation, region, round, confirmedOn, domainScores)
        }
    }

    /// A CSO member's presence at a training event: the day they first attended a session, and
    /// the day a certificate was issued, if one was.
    public struct Trainee: Sendable {
        public let person: UUID
        public let sex: PersonSex
        public let region: String?
        public let firstAttendedOn: LocalDate?
        public let certifiedOn: LocalDate?

        public init(person: UUID, sex: PersonSex, region: String?, firstAttendedOn: LocalDate?, certifiedOn: LocalDate?) {
            (self.person, self.sex, self.region, self.firstAttendedOn, self.certifiedOn) = (person, sex, region, firstAttendedOn, certifiedOn)
        }
    }

    /// A training event held: the day its attendance was first taken.
    public struct HeldEvent: Sendable {
        public let region: String?
        public let heldOn: LocalDate

        public init(region: String?, heldOn: LocalDate) { (self.region, self.heldOn) = (region, heldOn) }
    }

    /// A call for proposals published, with its envelope (the sum of its lots).
    public struct Call: Sendable {
        public let publishedOn: LocalDate
        public let envelopeMinorUnits: Int64

        public init(publishedOn: LocalDate, envelopeMinorUnits: Int64) { (self.publishedOn, self.envelopeMinorUnits) = (publishedOn, envelopeMinorUnits) }
    }

    /// An application to a call, from its first submission (concept note or full application).
    public struct Application: Sendable {
        public let region: String?
        public let submittedOn: LocalDate

        public init(region: String?, submittedOn: LocalDate) { (self.region, self.submittedOn) = (region, submittedOn) }
    }

    /// A sub-grant from award to closure: the money in minor units, each movement dated.
    public struct Grant: Sendable {
        public struct Movement: Sendable {
            public let on: LocalDate
            public let minorUnits: Int64

            public init(on: LocalDate, minorUnits: Int64) { (self.on, self.minorUnits) = (on, minorUnits) }
        }

        public let region: String?
        public let awardedOn: LocalDate?
        public let awardedMinorUnits: Int64
        /// Signed by both parties.
        public let contractedOn: LocalDate?
        public let contractedMinorUnits: Int64
        /// The first tranche paid.
        public let prefinancing: [Movement]
        /// Every tranche paid, the first included.
        public let payments: [Movement]
        /// Money the CSO paid back (a recovery order settled).
        public let recoveries: [Movement]
        /// Spending reported in approved reports.
        public let reported: [Movement]

        public init(region: String?, awardedOn: LocalDate?, awardedMinorUnits: Int64, contractedOn: LocalDate?, contractedMinorUnits: Int64,
                    prefinancing: [Movement] = [], payments: [Movement] = [], recoveries: [Movement] = [], reported: [Movement] = []) {
            self.region = region
            self.awardedOn = awardedOn
            self.awardedMinorUnits = awardedMinorUnits
            self.contractedOn = contractedOn
            self.contractedMinorUnits = contractedMinorUnits
            self.prefinancing = prefinancing
            self.payments = payments
            self.recoveries = recoveries
            self.reported = reported
        }
    }

    /// A survivor record's clear attributes and dated steps on the road to employment, with its
    /// consents to statistics: never a name, never a sealed field.
    public struct Survivor: Sendable {
        public struct FollowUp: Sendable {
            public let months: Int
            public let stillWorking: Bool?
            public let recordedOn: LocalDate

            public init(months: Int, stillWorking: Bool?, recordedOn: LocalDate) {
                (self.months, self.stillWorking, self.recordedOn) = (months, stillWorking, recordedOn)
            }
        }

        public let region: String
        public let sex: SurvivorSex
        public let yearOfBirth: Int?
        public let harm: HarmKind
        public let hasDisability: Bool
        public let registeredOn: LocalDate
        public let joinedClubOn: [LocalDate]
        public let planOn: LocalDate?
        public let startedWorkOn: [LocalDate]
        public let followUps: [FollowUp]
        public let statisticsConsents: [ConsentRecord]
        /// Records of several organisations that match one person count once.
        public let person: UUID

        public init(region: String, sex: SurvivorSex, yearOfBirth: Int?, harm: HarmKind, hasDisability: Bool, registeredOn: LocalDate,
                    joinedClubOn: [LocalDate] = [], planOn: LocalDate? = nil, startedWorkOn: [LocalDate] = [], followUps: [FollowUp] = [],
                    statisticsConsents: [ConsentRecord], person: UUID = UUID()) {
            self.region = region
            self.sex = sex
            self.yearOfBirth = yearOfBirth
            self.harm = harm
            self.hasDisability = hasDisability
            self.registeredOn = registeredOn
            self.joinedClubOn = joinedClubOn
            self.planOn = planOn
            self.startedWorkOn = startedWorkOn
            self.followUps = followUps
            self.statisticsConsents = statisticsConsents
            self.person = person
        }

        /// Where the person was on the road by the end of a day: the steps recorded by then.
        public func road(by day: LocalDate) -> RoadToEmployment {
            RoadToEmployment(
                clubMemberships: joinedClubOn.count { $0 <= day }, employmentStarts: startedWorkOn.count { $0 <= day },
                followUps: followUps.filter { $0.recordedOn <= day }.map { .init(months: $0.months, stillWorking: $0.stillWorking) })
        }
    }

    /// One campaign action's reach, by sex, in a region (nil: online or outside the programme).
    public struct Reach: Sendable {
        public let region: String?
        public let on: LocalDate
        public let reach: ActionReach

        public init(region: String?, on: LocalDate, reach: ActionReach) { (self.region, self.on, self.reach) = (region, on, reach) }
    }

    public var calls: [Call]
    public var applications: [Application]
    public var assessments: [Assessment]
    public var trainees: [Trainee]
    public var events: [HeldEvent]
    public var grants: [Grant]
    public var survivors: [Survivor]
    public var reach: [Reach]
    /// The days media mentions appeared.
    public var mentions: [LocalDate]

    public init(calls: [Call] = [], applications: [Application] = [], assessments: [Assessment] = [], trainees: [Trainee] = [], events: [HeldEvent] = [], grants: [Grant] = [],
                survivors: [Survivor] = [], reach: [Reach] = [], mentions: [LocalDate] = []) {
        self.calls = calls
        self.applications = applications
        self.assessments = assessments
        self.trainees = trainees
        self.events = events
        self.grants = grants
        self.survivors = survivors
        self.reach = reach
        self.mentions = mentions
    }
}
