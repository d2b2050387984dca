import CSV
import Foundation

/// Text for spreadsheets: CSV written by CSV.swift, with every cell that a spreadsheet would
/// run as a formula (starting with =, +, -, @, tab or carriage return) made inert with a
/// leading apostrophe, so an export opened in Excel or LibreOffice executes nothing typed.
enum SpreadsheetText {
    /// `alreadyInert`: the rows' text cells were made inert by the caller, which alone knows
    /// which cells are numbers (a negative amount is not a formula).
    static func csv(header: [String], rows: [[String]], alreadyInert: Bool = false) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        try writer.write(row: header.map(inert))
        for row in rows { try writer.write(row: alreadyInert ? row : row.map(inert)) }
        writer.stream.close()
        return writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }

    static func inert(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
        return "'" + cell
    }

    /// An instant as ISO 8601 in UTC, to the millisecond (as the audit chain stores it).
    static func utc(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
