import Fluent
import Vapor

/// Every migration, in the order it shipped. Never edit or reorder a shipped migration:
/// add a new one at the end of the newest release.
func registerMigrations(_ app: Application, resources: URL) {
    // Release 1
    app.migrations.add(CreateSystemValues())
    app.migrations.add(CreateAuditEntries())
    app.migrations.add(CreateMailOutbox())
    app.migrations.add(CreateProgrammeSettings())
    app.migrations.add(CreateGeography(referenceData: resources.appendingPathComponent("Data/albania-municipalities.csv")))
    app.migrations.add(CreateOrganisations())
    app.migrations.add(CreateUsers())
    app.migrations.add(CreateUserSessions())
    app.migrations.add(CreateOneTimeLinks())
    app.migrations.add(CreateRecoveryCodes())
    app.migrations.add(CreateSignInFailures())
    app.migrations.add(CreateGrantCalls())
    app.migrations.add(CreateCallQuestions())
    // Release 2
    app.migrations.add(CreateReferenceCounters())
    app.migrations.add(CreateGrantApplications())
    app.migrations.add(CreateDocuments())
    app.migrations.add(CreateEvaluation())
    app.migrations.add(AddEvaluationSettings())
    // Release 3
    app.migrations.add(CreateSurvivors())
    app.migrations.add(CreateCaseWork())
    // Release 4
    app.migrations.add(UpdateUsersAddSecondFactorFailures())
    app.migrations.add(UpdateMailOutboxDropSentBodies())
    app.migrations.add(CreateSurvivorMatches())
    app.migrations.add(CreateIntakeChecks())
    // Release 5
    app.migrations.add(AddEvaluationDays())
    app.migrations.add(CreatePasswordResetRequests())
    app.migrations.add(AddAuditIndexes())
    app.migrations.add(AddCallEnglishLists())
    app.migrations.add(CreateWorkNotices())
    app.migrations.add(CreateAccountRequests())
    // Release 6
    app.migrations.add(CreateGrantContracts())
    app.migrations.add(CreatePaymentRequests())
    app.migrations.add(CreateContractReports())
    app.migrations.add(CreateRecoveryOrders())
    app.migrations.add(CreateContractAmendments())
    app.migrations.add(CreateMonitoringVisits())
    // Release 7
    app.migrations.add(AddContractIndexes())
    // Release 8
    app.migrations.add(CreateCapacityAssessment(defaultInstrument: resources.appendingPathComponent("Data/capacity-instrument.json")))
    app.migrations.add(CreateCsoPeople())
    app.migrations.add(CreateCapacityActions())
    app.migrations.add(CreateCapacityEvents())
    app.migrations.add(CreateEventQuestionnaires())
    app.migrations.add(CreateEventReminders())
    // Release 9
    app.migrations.add(CreateCampaigns())
    app.migrations.add(CreateCampaignEvidence())
    app.migrations.add(CreateArticles())
    // Release 10
    app.migrations.add(CreateLibrary())
    app.migrations.add(AddReducedPhotos())
    // Release 11
    app.migrations.add(CreateLogframes())
}
