import Crypto
import Foundation

/// The document types applicants and officers may upload: PDF and office documents. The type
/// is decided by the file's content, never by its name or the browser's word; the name's
/// extension must then agree with it.
public enum DocumentKind: String, CaseIterable, Codable, Sendable {
    case pdf, docx, xlsx, pptx, odt, ods, odp
    /// Word, Excel and PowerPoint files from before 2007 (one container format for all three).
    case legacyOffice

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .ods: "application/vnd.oasis.opendocument.spreadsheet"
        case .odp: "application/vnd.oasis.opendocument.presentation"
        case .legacyOffice: "application/octet-stream"
        }
    }

    public var extensions: Set<String> {
        switch self {
        case .legacyOffice: ["doc", "xls", "ppt"]
        default: [rawValue]
        }
    }

    /// What the bytes are, or nil when they are none of the accepted types.
    public static func detect(_ bytes: [UInt8]) -> DocumentKind? {
        if bytes.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .legacyOffice }
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), bytes.count > 30 else { return nil }
        // OpenDocument: the first entry is an uncompressed `mimetype` file naming the type.
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        let extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        if nameLength == 8, bytes.count >= 30 + nameLength, Array(bytes[30..<38]) == Array("mimetype".utf8) {
            let start = 30 + nameLength + extraLength
            let prefix = String(decoding: bytes[min(start, bytes.count)..<min(start + 60, bytes.count)], as: UTF8.self)
            for kind in [DocumentKind.odt, .ods, .odp] where prefix.hasPrefix(kind.mediaType) { return kind }
            return nil
        }
        // Office Open XML: entry names are stored uncompressed in the local and central headers.
        guard contains(bytes, "[Content_Types].xml") else { return nil }
        if contains(bytes, "word/document.xml") { return .docx }
        if contains(bytes, "xl/workbook.xml") { return .xlsx }
        if contains(bytes, "ppt/presentation.xml") { return .pptx }
        return nil
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var index = 0
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

/// An uploaded file checked and named for keeping.
public struct CheckedDocument: Sendable, Equatable {
    public let kind: DocumentKind
    public let filename: String
    /// SHA-256 of the bytes, in hex: the file is stored once under it.
    public let digest: String
    public let size: Int
}

public enum DocumentCheck {
    /// Checks an upload: not empty, not over the limit, a PDF or office document by its
    /// content, with a name whose extension agrees. Errors are catalog keys.
    public static func check(filename: String, bytes: [UInt8], maximumBytes: Int) -> Result<CheckedDocument, DocumentProblem> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maximumBytes else { return .failure(.tooLarge) }
        guard let kind = DocumentKind.detect(bytes) else { return .failure(.unsupportedType) }
        let name = safeFilename(filename)
        let ext = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!).lowercased() : ""
        guard kind.extensions.contains(ext) else { return .failure(.nameDoesNotMatch) }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return .success(CheckedDocument(kind: kind, filename: name, digest: digest, size: bytes.count))
    }

    /// The last path component, without control characters, quotes or slashes, at most 120
    /// characters (keeping the extension).
    public static func safeFilename(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(last.unicodeScalars.filter { scalar in
            !CharacterSet.controlCharacters.contains(scalar) && !"\"<>:*?|".unicodeScalars.contains(scalar)
        }).trimmingCharacters(in: .whitespaces)
        if cleaned.hasPrefix(".") { cleaned = "file" + cleaned }
        if cleaned.count > 120 {
            let ext = cleaned.split(separator: ".").last.map { "." + $0 } ?? ""
            cleaned = String(cleaned.prefix(120 - ext.count)) + ext
        }
        return cleaned.isEmpty ? "file" : cleaned
    }
}

public enum DocumentProblem: String, Error, Sendable {
    case empty
    case tooLarge
    case unsupportedType
    case nameDoesNotMatch

    public var catalogKey: String { "document.error.\(rawValue)" }
}
