import Fluent
import Vapor

/// The release this build is: the number of the newest release below. A backup records it.
enum FuqizoRelease {
    static let current = 11
}

func registerMigrations(_ app: Application, resources: URL) {
    app.migrations.add(shippedMigrations(resources: resources))
}

/// Every migration's name, for `fuqizo migrate --dry-run` and for checking that a backup was
/// not made by a newer release than this one.
func shippedMigrationNames(resources: URL) -> [String] {
    shippedMigrations(resources: resources).map(\.name)
}

/// Every migration, in the order it shipped. Never edit or reorder a shipped migration:
/// add a new one at the end of the newest release (a test upgrades a database made by the
/// previous release, Tests/Fixtures).
private func shippedMigrations(resources: URL) -> [any Migration] {
    var migrations: [any Migration] = []
    // Release 1
    migrations.append(CreateSystemValues())
    migrations.append(CreateAuditEntries())
    migrations.append(CreateMailOutbox())
    migrations.append(CreateProgrammeSettings())
    migrations.append(CreateGeography(referenceData: resources.appendingPathComponent("Data/albania-municipalities.csv")))
    migrations.append(CreateOrganisations())
    migrations.append(CreateUsers())
    migrations.append(CreateUserSessions())
    migrations.append(CreateOneTimeLinks())
    migrations.append(CreateRecoveryCodes())
    migrations.append(CreateSignInFailures())
    migrations.append(CreateGrantCalls())
    migrations.append(CreateCallQuestions())
    // Release 2
    migrations.append(CreateReferenceCounters())
    migrations.append(CreateGrantApplications())
    migrations.append(CreateDocuments())
    migrations.append(CreateEvaluation())
    migrations.append(AddEvaluationSettings())
    // Release 3
    migrations.append(CreateSurvivors())
    migrations.append(CreateCaseWork())
    // Release 4
    migrations.append(UpdateUsersAddSecondFactorFailures())
    migrations.append(UpdateMailOutboxDropSentBodies())
    migrations.append(CreateSurvivorMatches())
    migrations.append(CreateIntakeChecks())
    // Release 5
    migrations.append(AddEvaluationDays())
    migrations.append(CreatePasswordResetRequests())
    migrations.append(AddAuditIndexes())
    migrations.append(AddCallEnglishLists())
    migrations.append(CreateWorkNotices())
    migrations.append(CreateAccountRequests())
    // Release 6
    migrations.append(CreateGrantContracts())
    migrations.append(CreatePaymentRequests())
    migrations.append(CreateContractReports())
    migrations.append(CreateRecoveryOrders())
    migrations.append(CreateContractAmendments())
    migrations.append(CreateMonitoringVisits())
    // Release 7
    migrations.append(AddContractIndexes())
    // Release 8
    migrations.append(CreateCapacityAssessment(defaultInstrument: resources.appendingPathComponent("Data/capacity-instrument.json")))
    migrations.append(CreateCsoPeople())
    migrations.append(CreateCapacityActions())
    migrations.append(CreateCapacityEvents())
    migrations.append(CreateEventQuestionnaires())
    migrations.append(CreateEventReminders())
    // Release 9
    migrations.append(CreateCampaigns())
    migrations.append(CreateCampaignEvidence())
    migrations.append(CreateArticles())
    // Release 10
    migrations.append(CreateLibrary())
    migrations.append(AddReducedPhotos())
    // Release 11
    migrations.append(CreateLogframes())
    return migrations
}
