import Vapor

/// Every route of the application. Each must be classified with `.access(…)`; the route-by-role
/// test fails for any route it does not know.
func routes(_ app: Application) throws {
    try app.register(collection: PlatformController())
    try app.register(collection: SignInController())
    try app.register(collection: OneTimeLinkController())
    try app.register(collection: PasswordResetController())
    try app.register(collection: AccountController())
    try app.register(collection: UsersController())
    try app.register(collection: AdminController())
    try app.register(collection: OrganisationsController())
    try app.register(collection: AccountRequestsController())
    try app.register(collection: CallsController(uploadLimit: app.services.config.maxUploadBytes))
    try app.register(collection: CallQuestionsController())
    try app.register(collection: PublicCallsController())
    try app.register(collection: ApplicantController(uploadLimit: app.services.config.maxUploadBytes))
    try app.register(collection: ApplicationReviewController())
    try app.register(collection: ApplicationDecisionController())
    try app.register(collection: CommitteeController())
    try app.register(collection: RankingController())
    try app.register(collection: EvaluatorController())
    try app.register(collection: GrantFiguresController())
    try app.register(collection: ContractsController())
    try app.register(collection: ContractPagesController())
    try app.register(collection: PaymentsController())
    try app.register(collection: AmendmentsController())
    try app.register(collection: MonitoringController(uploadLimit: app.services.config.maxUploadBytes))
    try app.register(collection: ReportsController(uploadLimit: app.services.config.maxUploadBytes))
    try app.register(collection: CaseloadController())
    try app.register(collection: SurvivorRecordController())
    try app.register(collection: CaseWorkController())
    try app.register(collection: ReferralsController())
    try app.register(collection: ClubController())
    try app.register(collection: SurvivorStatisticsController())

    // What waits for people: each module's part of the home page and the menu's counts.
    app.registerWork(AdministrationWorkload())
    app.registerWork(AccountRequestWorkload())
    app.registerWork(GrantWorkload())
    app.registerWork(ContractWorkload())
    app.registerWork(SurvivorWorkload())
}
