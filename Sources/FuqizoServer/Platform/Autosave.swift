import Vapor

/// What `autosave.js` reads back after saving a draft as the person types: whether it was
/// saved, the record's revision where it keeps one (the script sends it with the next save),
/// and a line for the status region.
struct AutosaveAnswer: Content {
    let saved: Bool
    let revision: Int?
    let message: String

    func response(_ status: HTTPResponseStatus, for req: Request) async throws -> Response {
        let response = try await encodeResponse(for: req)
        response.status = status
        // A draft's state answered to one save: never kept by a cache in between.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// "Saved at 14:05" in the person's language.
    static func savedLine(_ req: Request) -> String {
        req.services.catalog.format("autosave.saved", req.language, ["time": Display.dateTime(req.now)])
    }
}
