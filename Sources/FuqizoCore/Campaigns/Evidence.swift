import Crypto
import Foundation

/// A campaign's evidence as checked for keeping: a photo (stripped of its metadata) or a
/// document, each recognised by its bytes.
public struct CheckedEvidence: Sendable, Equatable {
    /// `jpeg`, `png`, `webp`, or a `DocumentKind`'s raw value.
    public let kind: String
    public let isPhoto: Bool
    public let filename: String
    public let digest: String
    public let size: Int

    public var mediaType: String {
        ImageKind(rawValue: kind)?.mediaType ?? DocumentKind(rawValue: kind)?.mediaType ?? "application/octet-stream"
    }
}

public enum EvidenceCheck {
    /// Checks an upload. A photo's metadata is removed before anything else, and it is named
    /// after its content (`photo-3f2a9c1e.jpg`): a phone's file name may say where or whom. A
    /// document goes through `DocumentCheck`. Errors are catalog keys.
    public static func check(filename: String, bytes: [UInt8], maximumBytes: Int) -> Result<(CheckedEvidence, [UInt8]), DocumentProblem> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maximumBytes else { return .failure(.tooLarge) }
        guard let kind = ImageKind.detect(bytes) else {
            return DocumentCheck.check(filename: filename, bytes: bytes, maximumBytes: maximumBytes).map { document in
                (CheckedEvidence(kind: document.kind.rawValue, isPhoto: false, filename: document.filename, digest: document.digest, size: document.size), bytes)
            }
        }
        let name = DocumentCheck.safeFilename(filename)
        let ext = name.contains(".") ? String(name.split(separator: ".").last ?? "").lowercased() : ""
        guard kind.extensions.contains(ext) else { return .failure(.nameDoesNotMatch) }
        guard let (_, clean) = ImageMetadata.stripped(bytes) else { return .failure(.unsupportedType) }
        let digest = SHA256.hash(data: clean).map { String(format: "%02x", $0) }.joined()
        return .success((CheckedEvidence(kind: kind.rawValue, isPhoto: true, filename: "photo-\(digest.prefix(8)).\(ext)", digest: digest, size: clean.count), clean))
    }
}

/// What an uploader says about a piece of evidence: captions and, for a photo, the
/// alternative text in both languages, the action it shows, and whether people can be
/// identified in it and whose consent covers them.
public struct EvidenceForm: Codable, Sendable, Equatable {
    public var captionSq = ""
    public var captionEn = ""
    public var altSq = ""
    public var altEn = ""
    public var action = ""
    /// "yes" when a person can be recognised in the photo.
    public var identifiable = ""
    /// "yes" when every recognisable person who is not a survivor gave written consent, kept on file.
    public var othersConsented = ""
    /// The pseudonymous code of a survivor in the photo, as her case worker gave it.
    public var survivorCode = ""

    public init() {}

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        captionSq = try form.text(.captionSq)
        captionEn = try form.text(.captionEn)
        altSq = try form.text(.altSq)
        altEn = try form.text(.altEn)
        action = try form.text(.action)
        identifiable = try form.text(.identifiable)
        othersConsented = try form.text(.othersConsented)
        survivorCode = try form.text(.survivorCode)
    }

    public struct Evidence: Sendable, Equatable {
        public let captionSq: String
        public let captionEn: String
        public let altSq: String
        public let altEn: String
        public let action: UUID?
        public let identifiable: Bool
        public let othersConsented: Bool
        public let survivorCode: String?
    }

    public static let maximumCaption = 300
    public static let maximumAlt = 250

    /// A photo needs its alternative text in both languages (what a screen reader says); a
    /// document needs its title in both. Captions are optional for photos. The action is one
    /// of the campaign's, or none. A photo with recognisable people needs at least one consent
    /// recorded: others' written consent, or a survivor's code.
    public func validated(isPhoto: Bool, actions: Set<UUID>) -> Result<Evidence, FieldErrors> {
        var errors = FieldErrors()
        func text(_ value: String, _ field: String, limit: Int, required: Bool) -> String {
            let clean = Text.clean(value) ?? ""
            if clean.isEmpty, required { errors.add(field, "form.error.required") }
            if clean.count > limit { errors.add(field, "form.error.tooLong") }
            return clean
        }
        let captionSq = text(captionSq, "captionSq", limit: Self.maximumCaption, required: !isPhoto)
        let captionEn = text(captionEn, "captionEn", limit: Self.maximumCaption, required: !isPhoto)
        let altSq = isPhoto ? text(altSq, "altSq", limit: Self.maximumAlt, required: true) : ""
        let altEn = isPhoto ? text(altEn, "altEn", limit: Self.maximumAlt, required: true) : ""
        var action: UUID?
        if !self.action.isEmpty {
            action = UUID(uuidString: self.action).flatMap { actions.contains($0) ? $0 : nil }
            if action == nil { errors.add("action", "form.error.choose") }
        }
        let identifiable = isPhoto && self.identifiable == "yes"
        let othersConsented = identifiable && self.othersConsented == "yes"
        let code = survivorCode.trimmingCharacters(in: .whitespaces).uppercased()
        var survivorCode: String?
        if identifiable, !code.isEmpty {
            if SurvivorCode.isValid(code) { survivorCode = code } else { errors.add("survivorCode", "campaign.evidence.error.code") }
        }
        if identifiable, !othersConsented, code.isEmpty { errors.add("identifiable", "campaign.evidence.error.consent") }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(Evidence(captionSq: captionSq, captionEn: captionEn, altSq: altSq, altEn: altEn, action: action,
                                 identifiable: identifiable, othersConsented: othersConsented, survivorCode: survivorCode))
    }
}

/// Whether a photo may be shown to the public: nobody recognisable in it, or everyone
/// recognisable covered by a consent that still holds (a survivor's withdrawal takes it off
/// the public pages at the next request).
public enum EvidencePublication {
    public static func mayShow(identifiable: Bool, othersConsented: Bool, survivorConsents: [Bool]) -> Bool {
        guard identifiable else { return true }
        guard othersConsented || !survivorConsents.isEmpty else { return false }
        return survivorConsents.allSatisfy { $0 }
    }
}
