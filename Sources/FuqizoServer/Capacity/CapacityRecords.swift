import Foundation
import FuqizoCore
import Vapor

/// The capacity records routes name, for the policy (see `ResourceSource.record`).
extension ResourceSource {
    /// The self-assessment named by `:assessmentID`. To a CSO user of another organisation a
    /// refusal says "not found".
    static let selfAssessment = ResourceSource.record(SelfAssessment.self, conceals: { req, _ in
        !Policy.decide(req.actor, .facilitateAssessment).isAllowed
    }) { req in
        let assessment = try await AssessmentService(database: req.db, services: req.services).assessment(try req.id("assessmentID"))
        return (assessment, assessment.resource)
    }
}
