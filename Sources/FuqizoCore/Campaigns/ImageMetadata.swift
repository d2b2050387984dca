import Foundation

/// The photo formats evidence may be in, recognised by their bytes like documents.
public enum ImageKind: String, CaseIterable, Codable, Sendable {
    case jpeg, png, webp

    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        }
    }

    public var extensions: Set<String> {
        switch self {
        case .jpeg: ["jpg", "jpeg"]
        case .png: ["png"]
        case .webp: ["webp"]
        }
    }

    public static func detect(_ bytes: [UInt8]) -> ImageKind? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: ImageMetadata.pngSignature) { return .png }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }
}

/// Removes every metadata block from a photo before it is stored: EXIF (with the GPS position
/// and the camera's serial number), XMP, IPTC, comments, embedded thumbnails (which may show
/// the picture before it was cropped or blurred) and colour profiles (which name the device).
/// What remains is only what a decoder needs to draw the same pixels; the pixel data itself is
/// copied untouched. Written here because no package on the machine's list reads or writes
/// these containers; each format is walked block by block and a block it does not know is
/// dropped, never kept.
public enum ImageMetadata {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The photo without metadata, or nil when the bytes are not a well-formed image of a kind
    /// accepted (a truncated or malformed file is refused rather than half-cleaned).
    public static func stripped(_ bytes: [UInt8]) -> (kind: ImageKind, bytes: [UInt8])? {
        guard let kind = ImageKind.detect(bytes) else { return nil }
        let clean: [UInt8]? = switch kind {
        case .jpeg: jpeg(bytes)
        case .png: png(bytes)
        case .webp: webp(bytes)
        }
        return clean.map { (kind, $0) }
    }

    // MARK: JPEG

    /// Segments a decoder needs: frames, tables, restart interval, scans, and Adobe's colour
    /// transform flag (APP14, a dozen bytes with nothing personal). Every other APPn (JFIF with
    /// its thumbnail, EXIF, XMP, ICC, IPTC, makers' notes) and every comment is dropped, and so
    /// is anything after the end of the image.
    static func jpeg(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [0xFF, 0xD8]
        var index = 2
        var sawFrame = false
        while index < bytes.count {
            // Fill bytes before a marker are allowed.
            guard bytes[index] == 0xFF else { return nil }
            while index < bytes.count, bytes[index] == 0xFF { index += 1 }
            guard index < bytes.count else { return nil }
            let marker = bytes[index]
            index += 1
            if marker == 0xD9 {
                guard sawFrame else { return nil }
                return out + [0xFF, 0xD9]
            }
            // Standalone markers carry no length.
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                out += [0xFF, marker]
                continue
            }
            guard index + 2 <= bytes.count else { return nil }
            let length = Int(bytes[index]) << 8 | Int(bytes[index + 1])
            guard length >= 2, index + length <= bytes.count else { return nil }
            let segment = bytes[index..<(index + length)]
            index += length
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                sawFrame = true
                out += [0xFF, marker] + segment
            case 0xC4, 0xCC, 0xDB, 0xDD:
                out += [0xFF, marker] + segment
            case 0xEE where segment.count >= 7 && Array(segment.dropFirst(2).prefix(5)) == Array("Adobe".utf8):
                out += [0xFF, marker] + segment
            case 0xDA:
                guard sawFrame else { return nil }
                out += [0xFF, marker] + segment
                // The entropy-coded data runs to the next marker that is not a stuffed zero
                // or a restart; it is copied as it is.
                let start = index
                while index + 1 < bytes.count {
                    if bytes[index] == 0xFF, bytes[index + 1] != 0x00, !(0xD0...0xD7).contains(bytes[index + 1]) { break }
                    index += 1
                }
                guard index + 1 < bytes.count else { return nil }
                out += bytes[start..<index]
            default:
                // APP0–APP15 other than Adobe's, COM, and markers this walk does not know.
                continue
            }
        }
        return nil
    }

    // MARK: PNG

    /// Chunks that draw the picture: header, palette, data, end, transparency and the colour
    /// and size facts decoders use, and the frames of an animation. Text (`tEXt`, `zTXt`,
    /// `iTXt`), `eXIf`, `tIME`, colour profiles and unknown chunks are dropped.
    static let pngKept: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "pHYs", "acTL", "fcTL", "fdAT"]

    static func png(_ bytes: [UInt8]) -> [UInt8]? {
        var out = pngSignature
        var index = pngSignature.count
        var first = true
        while index + 12 <= bytes.count {
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length <= 0x7FFF_FFFF, index + 12 + length <= bytes.count else { return nil }
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            if first, type != "IHDR" { return nil }
            first = false
            let end = index + 12 + length
            if pngKept.contains(type) { out += bytes[index..<end] }
            index = end
            if type == "IEND" { return out }
        }
        return nil
    }

    // MARK: WebP

    /// The RIFF container's chunks other than `EXIF`, `XMP ` and `ICCP`, with the extended
    /// header's flags for them cleared and the container's size written again.
    static func webp(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 20 else { return nil }
        let declared = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        guard declared >= 4, declared + 8 <= bytes.count else { return nil }
        var body: [UInt8] = Array("WEBP".utf8)
        var index = 12
        var sawImage = false
        let limit = declared + 8
        while index + 8 <= limit {
            let fourCC = String(decoding: bytes[index..<(index + 4)], as: UTF8.self)
            let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
            let padded = size + (size & 1)
            guard index + 8 + size <= limit else { return nil }
            let end = min(index + 8 + padded, limit)
            switch fourCC {
            case "EXIF", "XMP ", "ICCP":
                break
            case "VP8X":
                guard size >= 10 else { return nil }
                var chunk = Array(bytes[index..<end])
                // Flags: ICC profile (0x20), EXIF (0x08), XMP (0x04).
                chunk[8] &= ~UInt8(0x20 | 0x08 | 0x04)
                body += chunk
            case "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF":
                sawImage = sawImage || fourCC != "ANIM"
                body += bytes[index..<end]
            default:
                break
            }
            index = end
        }
        guard sawImage else { return nil }
        let size = body.count
        return Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24 & 0xFF)] + body
    }
}
