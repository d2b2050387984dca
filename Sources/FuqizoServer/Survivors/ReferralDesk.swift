import Fluent
import Foundation
import FuqizoCore
import Vapor

/// Referrals of survivors to other organisations. The receiver sees the code, the service and
/// the status; the identity fields the referral's consent names only while the referral is
/// open and the consent active, each reading audited.
struct ReferralDesk {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }
    private var records: SurvivorService { SurvivorService(database: database, services: services) }

    struct Loaded: Sendable {
        let referral: SurvivorReferral
        let survivor: Survivor
        let consent: SurvivorConsent
        let access: ReferralAccess
    }

    /// Sends a referral under an active referral consent of the record.
    func send(consentID: String, service: String, on loaded: SurvivorService.Loaded, actor: UUID) async throws -> Result<Void, FieldErrors> {
        var errors = FieldErrors()
        let need = ReferralNeed(rawValue: service)
        if need == nil { errors.add("service", "form.error.choose") }
        let consent = UUID(uuidString: consentID).flatMap { id in loaded.consents.first { $0.id == id } }
        if consent?.purpose != ConsentPurpose.referral.rawValue || consent?.record?.isActive(at: now) != true || consent?.recipientOrganisationID == nil {
            errors.add("consentID", "referral.error.consent")
        }
        guard errors.isEmpty, let need, let consent, let recipient = consent.recipientOrganisationID else { return .failure(errors) }
        let survivor = loaded.survivor
        let referral = SurvivorReferral()
        referral.survivorID = try survivor.requireID()
        referral.consentID = try consent.requireID()
        referral.fromOrganisationID = survivor.$organisation.id
        referral.toOrganisationID = recipient
        referral.service = need.rawValue
        referral.status = .sent
        referral.sentAt = now
        referral.sentBy = actor
        try await database.writeTransaction { db in
            try await referral.create(on: db)
            try await records.audit("survivor.referralSent", survivor.code,
                                    details: ["to": recipient.uuidString, "service": need.rawValue], actor: actor, on: db)
        }
        return .success(())
    }

    func load(_ id: UUID) async throws -> Loaded {
        guard let referral = try await SurvivorReferral.find(id, on: database),
              let survivor = try await Survivor.find(referral.survivorID, on: database),
              let consent = try await SurvivorConsent.find(referral.consentID, on: database) else { throw AppError.forbidden }
        let active = consent.record.map { ConsentRule.allows(.referral, recipient: referral.toOrganisationID, records: [$0], at: now) } ?? false
        return Loaded(referral: referral, survivor: survivor, consent: consent,
                      access: ReferralAccess(from: referral.fromOrganisationID, to: referral.toOrganisationID, status: referral.status,
                                             consentActive: active && survivor.identityDestroyedAt == nil))
    }

    /// The fields the consent covers, decrypted after the reading is audited.
    func sharedData(_ loaded: Loaded, actor: UUID) async throws -> [(field: IdentityField, value: String)] {
        let fields = loaded.consent.sharedIdentityFields
        guard !fields.isEmpty else { return [] }
        let survivor = loaded.survivor
        let id = try survivor.requireID()
        try await database.writeTransaction { db in
            try await records.audit("survivor.referralRead", survivor.code, details: ["referral": loaded.referral.id!.uuidString], actor: actor, on: db)
        }
        let key = try await records.dataKey(of: id, on: database)
        return try fields.compactMap { field in try survivor.opened(field, with: key).map { (field, $0) } }
    }

    func move(_ loaded: Loaded, to next: ReferralStatus, by side: ReferralStatus.Side, actor: UUID) async throws {
        let referral = loaded.referral
        guard referral.status.canMove(to: next, by: side) else { throw AppError(status: .conflict, messageKey: "referral.error.transition") }
        try await database.writeTransaction { db in
            referral.status = next
            if next == .accepted || next == .declined { referral.answeredAt = now }
            if next != .accepted { referral.closedAt = now }
            try await referral.save(on: db)
            try await records.audit("survivor.referral\(next.rawValue.prefix(1).uppercased())\(next.rawValue.dropFirst())", loaded.survivor.code,
                                    details: ["referral": referral.id!.uuidString], actor: actor, on: db)
        }
    }

    struct Row: Sendable {
        let id: UUID
        let code: String
        let service: ReferralNeed
        let status: ReferralStatus
        let from: UUID
        let to: UUID
        let sentAt: Date
    }

    /// Referrals received by or sent from these organisations, newest first.
    func list(organisations: Set<UUID>, received: Bool, limit: Int = 100) async throws -> [Row] {
        guard !organisations.isEmpty else { return [] }
        var query = SurvivorReferral.query(on: database)
        query = received ? query.filter(\.$toOrganisationID ~~ organisations) : query.filter(\.$fromOrganisationID ~~ organisations)
        let referrals = try await query.sort(\.$sentAt, .descending).limit(limit).all()
        let survivors = try await Survivor.query(on: database).filter(\.$id ~~ Set(referrals.map(\.survivorID))).all()
        let codes = Dictionary(uniqueKeysWithValues: survivors.compactMap { survivor in survivor.id.map { ($0, survivor.code) } })
        return referrals.map { referral in
            Row(id: referral.id!, code: codes[referral.survivorID] ?? "", service: ReferralNeed(rawValue: referral.service) ?? .employment,
                status: referral.status, from: referral.fromOrganisationID, to: referral.toOrganisationID, sentAt: referral.sentAt)
        }
    }

    func referrals(of survivorID: UUID) async throws -> [SurvivorReferral] {
        try await SurvivorReferral.query(on: database).filter(\.$survivorID == survivorID).sort(\.$sentAt, .descending).all()
    }
}
