import Foundation
import FuqizoCore
import SQLKit

/// A submitted application as the grants side's lists and rankings read it: one row of
/// `grant_applications` with its organisation's and lot's names, read with plain SQL for a
/// whole call or a page of it at once.
struct ApplicationSummary: Decodable, Sendable {
    let id: UUID
    let lotId: UUID
    let lotSq: String
    let lotEn: String
    let reference: String
    let organisation: String
    let stage: ApplicationStage
    let status: ApplicationStatus
    let requestedMinorUnits: Int64
    let conceptSubmittedAt: Date?
    let fullSubmittedAt: Date?

    func submittedAt(_ stage: ApplicationStage) -> Date? { stage == .concept ? conceptSubmittedAt : fullSubmittedAt }

    /// The columns and tables every query of this row reads (`a` is the application).
    static let select: SQLQueryString = """
        SELECT a.id, a.lot_id, l.name_sq AS lot_sq, l.name_en AS lot_en, a.reference, o.name_sq AS organisation,
               a.stage, a.status, a.requested_minor_units, a.concept_submitted_at, a.full_submitted_at
        FROM grant_applications a
        JOIN organisations o ON o.id = a.organisation_id
        JOIN call_lots l ON l.id = a.lot_id
        """
}
