import Crypto
import Fluent
import Foundation
import FuqizoCore
import SQLKit
import Vapor

/// A campaign's photos and documents: kept once checked (a photo only after its metadata is
/// removed), each photo with recognisable people tied to the consents that cover it, served
/// only through the campaign, removed with a reason. Audited with ids only: never a survivor's
/// code on the campaign's side.
struct EvidenceService {
    let database: any Database
    let services: AppServices

    var now: Date { services.clock.now() }

    /// Most pieces of evidence one campaign may have.
    static let maximumPerCampaign = 200

    func evidence(of campaign: Campaign) async throws -> [CampaignEvidence] {
        try await CampaignEvidence.query(on: database).filter(\.$campaign.$id == campaign.requireID()).sort(\.$uploadedAt).all()
    }

    func find(_ id: UUID, of campaign: Campaign) async throws -> CampaignEvidence {
        guard let evidence = try await CampaignEvidence.query(on: database).filter(\.$id == id)
            .filter(\.$campaign.$id == campaign.requireID()).first() else { throw AppError.notFound }
        return evidence
    }

    private struct ConsentRow: Decodable {
        let evidenceID: UUID
        let active: Bool
    }

    /// Whether each piece of evidence may be shown to the public now, by the core's rule over
    /// the consents that cover it (read at each request: a withdrawal counts at once).
    /// One query, whichever campaigns the evidence belongs to.
    func publicity(of evidence: [CampaignEvidence]) async throws -> [UUID: Bool] {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let ids = evidence.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT l.evidence_id AS "evidenceID", \(Self.consentHolds("l.survivor_id")) AS active
            FROM campaign_evidence_consents l WHERE l.evidence_id IN (\(SQLList(ids.map { SQLBind($0) })))
            """).all(decoding: ConsentRow.self)
        let consents = Dictionary(grouping: rows, by: \.evidenceID)
        return Dictionary(uniqueKeysWithValues: try evidence.map { item in
            (try item.requireID(), EvidencePublication.mayShow(identifiable: item.identifiable, othersConsented: item.othersConsented,
                                                               survivorConsents: consents[try item.requireID()]?.map(\.active) ?? []))
        })
    }

    private struct ShownRow: Decodable {
        let id: UUID
        let identifiable: Bool
        let othersConsented: Bool
        let linked: Int
        let holding: Int
    }

    /// Which of a campaign's pieces of evidence the public may see now, in one query: the
    /// public campaign page keeps its photos' texts a while, but reads this at every view.
    func shown(in campaignID: UUID) async throws -> Set<UUID> {
        guard let sql = database as? any SQLDatabase else { throw AppError.server }
        let rows = try await sql.raw("""
            SELECT e.id, e.identifiable, e.others_consented AS "othersConsented",
                   CAST((SELECT COUNT(*) FROM campaign_evidence_consents l WHERE l.evidence_id = e.id) AS BIGINT) AS linked,
                   CAST((SELECT COUNT(*) FROM campaign_evidence_consents l WHERE l.evidence_id = e.id AND \(Self.consentHolds("l.survivor_id"))) AS BIGINT) AS holding
            FROM campaign_evidence e WHERE e.campaign_id = \(bind: campaignID)
            """).all(decoding: ShownRow.self)
        return Set(rows.filter { row in
            EvidencePublication.mayShow(identifiable: row.identifiable, othersConsented: row.othersConsented,
                                        survivorConsents: Array(repeating: true, count: row.holding) + Array(repeating: false, count: max(0, row.linked - row.holding)))
        }.map(\.id))
    }

    /// A survivor's consent to photos and media holds: given, not withdrawn, her identity not destroyed.
    private static func consentHolds(_ survivor: String) -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM survivor_consents c JOIN survivors s ON s.id = c.survivor_id
                WHERE c.survivor_id = \(unsafeRaw: survivor) AND c.purpose = \(bind: ConsentPurpose.media.rawValue)
                  AND c.withdrawn_at IS NULL AND s.identity_destroyed_at IS NULL)
        """
    }

    private struct SurvivorRow: Decodable { let id: UUID }

    /// The survivor under `code` whose consent to photos and media holds, or nil: no record,
    /// no such consent, a withdrawn one and an erased identity all answer the same.
    private func consentingSurvivor(_ code: String, on db: any Database) async throws -> UUID? {
        guard let sql = db as? any SQLDatabase else { throw AppError.server }
        return try await sql.raw("""
            SELECT s.id FROM survivors s WHERE s.code = \(bind: code) AND \(Self.consentHolds("s.id"))
            """).first(decoding: SurvivorRow.self)?.id
    }

    /// Keeps a checked upload with what the uploader said of it.
    func attach(_ checked: CheckedEvidence, bytes: [UInt8], form: EvidenceForm, to campaign: Campaign, actor: UUID) async throws -> Result<CampaignEvidence, FieldErrors> {
        _ = try campaign.status.transition(.edit)
        let actions = Set(try await CampaignAction.query(on: database).filter(\.$campaign.$id == campaign.requireID()).all().compactMap(\.id))
        switch form.validated(isPhoto: checked.isPhoto, actions: actions) {
        case .failure(let errors): return .failure(errors)
        case .success(let value):
            guard try await CampaignEvidence.query(on: database).filter(\.$campaign.$id == campaign.requireID()).count() < Self.maximumPerCampaign else {
                throw AppError(status: .conflict, messageKey: "campaign.evidence.error.tooMany")
            }
            let survivor = try await value.survivorCode.asyncMap { try await consentingSurvivor($0, on: database) } ?? nil
            if value.survivorCode != nil, survivor == nil {
                var errors = FieldErrors()
                errors.add("survivorCode", "campaign.evidence.error.noConsent")
                return .failure(errors)
            }
            let evidence = CampaignEvidence()
            evidence.$campaign.id = try campaign.requireID()
            evidence.actionID = value.action
            (evidence.digest, evidence.filename, evidence.kind, evidence.size) = (checked.digest, checked.filename, checked.kind, Int64(checked.size))
            (evidence.captionSq, evidence.captionEn, evidence.altSq, evidence.altEn) = (value.captionSq, value.captionEn, value.altSq, value.altEn)
            (evidence.identifiable, evidence.othersConsented) = (value.identifiable, value.othersConsented)
            (evidence.uploadedBy, evidence.uploadedAt) = (actor, now)
            // Made before the transaction: resampling takes a moment and needs no lock.
            let reduced = try await ImageKind(rawValue: checked.kind).asyncMap { await services.photoReducer.reduce(bytes, kind: $0) } ?? nil
            let reducedDigest = reduced.map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() }
            (evidence.reducedDigest, evidence.reducedSize) = (reducedDigest, reduced.map { Int64($0.count) })
            try await database.writeTransaction { db in
                try await DocumentStore.keep(digest: checked.digest, bytes: bytes, at: now, on: db)
                if let reduced, let reducedDigest { try await DocumentStore.keep(digest: reducedDigest, bytes: reduced, at: now, on: db) }
                try await evidence.create(on: db)
                if let survivor {
                    let link = EvidenceConsent()
                    (link.$evidence.id, link.survivorID, link.linkedBy, link.linkedAt) = (try evidence.requireID(), survivor, actor, now)
                    try await link.create(on: db)
                }
                services.publicCampaigns.forget()
                try await services.audit.record(.init("campaign.evidenceAdded", target: ("campaign", try campaign.requireID().uuidString), details: [
                    "reference": campaign.reference, "evidence": try evidence.requireID().uuidString, "kind": checked.kind,
                    "identifiable": value.identifiable ? "yes" : "no", "consents": survivor == nil ? "0" : "1",
                ]), actor: actor, at: now, on: db)
            }
            return .success(evidence)
        }
    }

    /// Removes a piece of evidence and, when nothing else refers to them, its bytes.
    func remove(_ evidence: CampaignEvidence, of campaign: Campaign, reason: String, actor: UUID) async throws {
        // A photo an article's version shows stays: versions are kept as they were written.
        guard try await ArticleVersion.query(on: database).filter(\.$imageID == evidence.requireID()).count() == 0 else {
            throw AppError(status: .conflict, messageKey: "campaign.evidence.error.inArticle")
        }
        try await database.writeTransaction { db in
            try await EvidenceConsent.query(on: db).filter(\.$evidence.$id == evidence.requireID()).delete()
            try await evidence.delete(on: db)
            for digest in [evidence.digest] + [evidence.reducedDigest].compactMap({ $0 }) { try await DocumentStore.forget(digest: digest, on: db) }
            services.publicCampaigns.forget()
            try await services.audit.record(.init("campaign.evidenceRemoved", target: ("campaign", try campaign.requireID().uuidString), details: [
                "reference": campaign.reference, "evidence": try evidence.requireID().uuidString, "reason": reason,
            ]), actor: actor, at: now, on: db)
        }
    }

    /// The stored bytes: a photo shown in the page, a document downloaded; never cached by
    /// shared caches.
    func file(_ evidence: CampaignEvidence) async throws -> Response {
        guard let content = try await DocumentStore.content(digest: evidence.digest, on: database) else { throw AppError.notFound }
        let response = Response(status: .ok, body: .init(data: content))
        response.headers.replaceOrAdd(name: .contentType, value: evidence.mediaType)
        response.headers.replaceOrAdd(name: .contentDisposition, value: evidence.isPhoto
            ? DocumentStore.disposition(evidence.filename).replacingOccurrences(of: "attachment;", with: "inline;")
            : DocumentStore.disposition(evidence.filename))
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}
