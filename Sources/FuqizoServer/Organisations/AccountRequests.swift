import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// An organisation's request for an account, as stored.
final class AccountRequest: Model, @unchecked Sendable {
    static let schema = "account_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_name") var organisationName: String
    @Field(key: "registration_number") var registrationNumber: String
    @Field(key: "municipality_id") var municipalityID: UUID
    @Field(key: "contact_name") var contactName: String
    @Field(key: "email") var email: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "message") var message: String?
    @Field(key: "language") var language: String
    @Enum(key: "status") var status: AccountRequestStatus
    @Field(key: "requested_at") var requestedAt: Date
    /// Keyed digest of the network address: the public form's rate limit, never the address.
    @Field(key: "address_digest") var addressDigest: String
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @OptionalField(key: "refusal_reason") var refusalReason: String?

    init() {}
}


/// The account requests' use cases: asking (public, rate limited), listing, approving and refusing.
struct AccountRequestService {
    let database: any Database
    let services: AppServices
    var now: Date { services.clock.now() }

    /// Requests from one network address in an hour before the page says to wait.
    static let addressLimit = 3
    static let addressWindow: TimeInterval = 3600

    enum Outcome: Equatable {
        case received
        case invalid(FieldErrors)
        case throttled
    }

    func submit(_ form: AccountRequestForm, language: Language, addressDigest: String) async throws -> Outcome {
        let geography = try await GeographyDirectory.load(on: database)
        let draft: AccountRequestDraft
        switch form.validated(municipalities: Set(geography.places.keys)) {
        case .failure(let errors): return .invalid(errors)
        case .success(let valid): draft = valid
        }
        let now = self.now
        let recent = try await AccountRequest.query(on: database).filter(\.$addressDigest == addressDigest)
            .filter(\.$requestedAt > now.addingTimeInterval(-Self.addressWindow)).count()
        guard recent < Self.addressLimit else { return .throttled }
        let request = AccountRequest()
        request.organisationName = draft.organisationName
        request.registrationNumber = draft.registrationNumber
        request.municipalityID = draft.municipalityID
        request.contactName = draft.contactName
        request.email = draft.email
        request.phone = draft.phone
        request.message = draft.message
        request.language = language.rawValue
        request.status = .pending
        request.requestedAt = now
        request.addressDigest = addressDigest
        try await database.writeTransaction { db in
            try await request.create(on: db)
            try await services.audit.record(.init("organisation.accountRequested", target: ("accountRequest", try request.requireID().uuidString)),
                                            actor: nil, at: now, on: db)
        }
        return .received
    }

    func pending(limit: Int = 200) async throws -> [AccountRequest] {
        try await AccountRequest.query(on: database).filter(\.$status == .pending).sort(\.$requestedAt).limit(limit).all()
    }

    func recent(limit: Int = 50) async throws -> [AccountRequest] {
        try await AccountRequest.query(on: database).filter(\.$status != .pending).sort(\.$decidedAt, .descending).limit(limit).all()
    }

    func find(_ id: UUID) async throws -> AccountRequest {
        guard let request = try await AccountRequest.find(id, on: database) else { throw AppError.notFound }
        return request
    }

    /// A new organisation's form, filled from the request named (its name, NUIS and
    /// municipality) for the officer to complete from the national register; blank without one.
    func organisationForm(request id: String?) async throws -> OrganisationForm {
        var form = OrganisationForm()
        guard let id = id.flatMap(UUID.init(uuidString:)), let request = try await AccountRequest.find(id, on: database) else { return form }
        form.nameSq = request.organisationName
        form.registrationNumber = request.registrationNumber
        form.municipalityID = request.municipalityID.uuidString
        return form
    }

    /// The registered organisation with the request's NUIS, if any.
    func registered(_ request: AccountRequest) async throws -> Organisation? {
        try await Organisation.query(on: database).filter(\.$registrationNumber == request.registrationNumber).first()
    }

    func emailTaken(_ request: AccountRequest) async throws -> Bool {
        try await User.query(on: database).filter(\.$email == request.email).first() != nil
    }

    /// Invites the contact as the registered organisation's CSO user, in the request's language.
    func approve(_ request: AccountRequest, actor: UUID, passwords: PasswordHasher) async throws -> Result<Void, String> {
        let organisation = try await registered(request)
        if let problem = AccountRequestRule.approvalProblem(status: request.status, inRegistry: organisation != nil,
                                                            emailTaken: try await emailTaken(request)) {
            return .failure(problem)
        }
        guard let organisationID = organisation?.id else { return .failure("accountRequest.error.notInRegistry") }
        var form = UserAdminService.InvitationForm()
        form.email = request.email
        form.displayName = request.contactName
        form.language = request.language
        form.organisationID = organisationID.uuidString
        form.organisationRole = Role.csoUser.rawValue
        let now = self.now
        let users = UserAdminService(database: database, services: services, passwords: passwords)
        switch try await users.invite(form, by: actor, also: { db in
            request.status = .approved
            request.decidedAt = now
            request.decidedBy = actor
            request.organisationID = organisationID
            try await request.save(on: db)
            try await services.audit.record(.init("organisation.accountApproved", target: ("accountRequest", try request.requireID().uuidString),
                                                  details: ["organisation": organisationID.uuidString]), actor: actor, at: now, on: db)
        }) {
        case .success: return .success(())
        case .failure: return .failure("accountRequest.error.invitation")
        }
    }

    /// Refused with the officer's reason, which the contact is told by mail.
    func refuse(_ request: AccountRequest, reason: String, actor: UUID) async throws {
        guard request.status == .pending else { throw AppError(status: .conflict, messageKey: "accountRequest.error.decided") }
        let now = self.now
        let language = Language(code: request.language) ?? .default
        try await database.writeTransaction { db in
            request.status = .refused
            request.decidedAt = now
            request.decidedBy = actor
            request.refusalReason = reason
            try await request.save(on: db)
            try await Outbox.enqueue(to: request.email, subject: services.catalog.text("accountRequest.mail.refused.subject", language),
                                     body: services.catalog.format("accountRequest.mail.refused.body", language, ["reason": reason]),
                                     now: now, sealedBy: services.mailBox, on: db)
            try await services.audit.record(.init("organisation.accountRefused", target: ("accountRequest", try request.requireID().uuidString),
                                                  details: ["reason": reason]), actor: actor, at: now, on: db)
        }
    }
}

/// The grants side's part of work lists: requests for an account to check.
struct AccountRequestWorkload: WorkSource {
    func items(for actor: Actor, today: LocalDate, now: Date, on database: any Database) async throws -> [WorkItem] {
        guard Policy.decide(actor, .reviewAccountRequests).isAllowed else { return [] }
        let pending = try await AccountRequest.query(on: database).filter(\.$status == .pending)
        let count = try await pending.copy().count()
        guard count > 0 else { return [] }
        let oldest = try await pending.sort(\.$requestedAt).first()?.requestedAt
        return OrganisationWork.officer(pendingRequests: count, oldest: oldest.map { TiranaTime.today(at: $0) })
    }
}
