import Foundation
import Vapor

extension Request {
    /// The path's `name` parameter as an id. A malformed one is "not found", like an id that
    /// names nothing.
    func id(_ name: String) throws -> UUID {
        guard let id = parameters.get(name, as: UUID.self) else { throw AppError.notFound }
        return id
    }

    /// The path's `name` parameter as one of a closed set of values (a stage, a check kind).
    /// Anything else is "not found".
    func parameter<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws -> Value where Value.RawValue == String {
        guard let value = parameters.get(name).flatMap(Value.init(rawValue:)) else { throw AppError.notFound }
        return value
    }
}
