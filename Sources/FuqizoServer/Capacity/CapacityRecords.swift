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

extension ResourceSource {
    /// The event named by `:eventID`, with its sessions and trainers. A trainer asking for an
    /// event they do not run is told "not found".
    static let capacityEvent = ResourceSource.record(CapacityEvent.self, conceals: { req, _ in
        !req.actor.isProgrammeStaff && !req.actor.has(.csoUser)
    }) { req in
        let event = try await EventService(database: req.db, services: req.services).event(try req.id("eventID"))
        return (event, event.resource)
    }
}
