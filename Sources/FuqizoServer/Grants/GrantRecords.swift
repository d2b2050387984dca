import Fluent
import Foundation
import FuqizoCore
import Vapor

/// The grant records routes name, for the policy (see `ResourceSource.record`).
extension ResourceSource {
    /// The application named by `:applicationID`, with its call's committee. Outside the grants
    /// side, and for everyone while it is a draft, a refusal says "not found", as for an
    /// application that does not exist.
    static let application = ResourceSource.record(GrantApplication.self, conceals: { req, application in
        application.reference == nil || !Policy.decide(req.actor, .reviewApplication).isAllowed
    }) { req in
        let id = try req.id("applicationID")
        let application = try await ApplicationService(database: req.db, services: req.services).find(id)
        let committee = try await EvaluationService.committeeAccess(of: application.$call.id, on: req.db)
        return (application, .application(ApplicationAccess(
            organisationID: application.$organisation.id, isSubmitted: application.reference != nil, committee: committee)))
    }

    /// The committee of the call named by `:callID`: its ranking and its list of applications.
    static let committee = ResourceSource.record(CommitteeAccess.self) { req in
        let id = try req.id("callID")
        guard try await GrantCall.find(id, on: req.db) != nil else { throw AppError.notFound }
        let committee = try await EvaluationService.committeeAccess(of: id, on: req.db)
        return (committee, .committee(committee))
    }

    /// The evaluation assignment named by `:assignmentID`. Another evaluator's is "not found".
    static let assignment = ResourceSource.record(EvaluationAssignment.self, conceals: { req, assignment in
        assignment.$evaluator.id != req.actor.userID
    }) { req in
        guard let assignment = try await EvaluationAssignment.find(try req.id("assignmentID"), on: req.db) else { throw AppError.notFound }
        return (assignment, assignment.resource)
    }
}

extension EvaluationAssignment {
    /// What the policy needs to know about this assignment.
    var resource: Resource { .assignment(evaluator: $evaluator.id, declared: isDeclared) }
}
