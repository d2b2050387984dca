import Foundation
import FuqizoCore
import Vapor
import ZIPFoundation

/// A table to export, with typed cells: amounts and dates stay numbers and dates in a
/// spreadsheet, so a grants officer can sum and sort them; text is made inert against formulas.
struct SpreadsheetSheet {
    enum Cell {
        case text(String)
        /// Money in minor units, written with two decimals.
        case amount(Int64)
        case date(LocalDate)
        case count(Int)
        case empty
    }

    /// The tab's name (at most 31 characters, none of `[]:*?/\`, as Excel requires).
    let name: String
    let headings: [String]
    let rows: [[Cell]]

    init(name: String, headings: [String], rows: [[Cell]]) {
        let forbidden = CharacterSet(charactersIn: "[]:*?/\\")
        self.name = String(String(name.unicodeScalars.filter { !forbidden.contains($0) }).prefix(31))
        self.headings = headings
        self.rows = rows
    }
}

/// Writes sheets as CSV (CSV.swift, one table after another) or as an Office Open XML workbook
/// (one tab per sheet; the zip container by ZIPFoundation). Neither format runs anything typed:
/// a text cell starting like a formula gets a leading apostrophe.
enum Spreadsheet {
    enum Format: String, CaseIterable {
        case csv
        case xlsx

        var mediaType: HTTPMediaType {
            switch self {
            case .csv: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            case .xlsx: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            }
        }
    }

    static func data(_ sheets: [SpreadsheetSheet], as format: Format) throws -> Data {
        switch format {
        case .csv: try csv(sheets)
        case .xlsx: try xlsx(sheets)
        }
    }

    /// The file as a download named `<name>.<format>` (an ASCII name with no personal data).
    static func response(_ sheets: [SpreadsheetSheet], as format: Format, name: String) throws -> Response {
        let response = Response(status: .ok, body: .init(data: try data(sheets, as: format)))
        response.headers.contentType = format.mediaType
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name).\(format.rawValue)\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    static func plain(_ cell: SpreadsheetSheet.Cell) -> String {
        switch cell {
        case .text(let text): SpreadsheetText.inert(text)
        case .amount(let minorUnits): NumberWriting.plain(minorUnits)
        case .date(let day): day.description
        case .count(let count): String(count)
        case .empty: ""
        }
    }

    /// Each sheet's headings and rows; sheets after the first follow a blank row and their name.
    static func csv(_ sheets: [SpreadsheetSheet]) throws -> Data {
        var header: [String] = []
        var rows: [[String]] = []
        for (index, sheet) in sheets.enumerated() {
            if index == 0 { header = sheet.headings } else { rows += [[], [SpreadsheetText.inert(sheet.name)], sheet.headings.map(SpreadsheetText.inert)] }
            rows += sheet.rows.map { $0.map(plain) }
        }
        return try SpreadsheetText.csv(header: header, rows: rows, alreadyInert: true)
    }

    // MARK: the workbook

    static func xlsx(_ sheets: [SpreadsheetSheet]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ xml: String) throws {
            let bytes = Data(xml.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let numbered = Array(sheets.enumerated())
        try add("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            \(numbered.map { index, _ in
                "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            }.joined())</Types>
            """)
        try add("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """)
        try add("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
            \(numbered.map { index, sheet in
                "<sheet name=\"\(escaped(sheet.name.isEmpty ? "Sheet\(index + 1)" : sheet.name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
            }.joined())</sheets></workbook>
            """)
        try add("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(numbered.map { index, _ in
                "<Relationship Id=\"rId\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>"
            }.joined())\
            <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        try add("xl/styles.xml", styles)
        for (index, sheet) in numbered {
            try add("xl/worksheets/sheet\(index + 1).xml", worksheet(sheet))
        }
        guard let data = archive.data else { throw AppError.server }
        return data
    }

    /// Styles by index: 0 general, 1 amount (#,##0.00), 2 date (yyyy-mm-dd), 3 bold heading.
    private static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>\
        <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """

    private static func worksheet(_ sheet: SpreadsheetSheet) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
            <cols><col min="1" max="\(max(1, sheet.headings.count))" width="22" customWidth="1"/></cols><sheetData>
            """
        func row(_ number: Int, _ cells: [SpreadsheetSheet.Cell], heading: Bool = false) {
            xml += "<row r=\"\(number)\">"
            for (column, cell) in cells.enumerated() {
                let reference = "\(columnName(column))\(number)"
                switch cell {
                case .text(let text):
                    xml += "<c r=\"\(reference)\" t=\"inlineStr\"\(heading ? " s=\"3\"" : "")><is><t xml:space=\"preserve\">\(escaped(SpreadsheetText.inert(text)))</t></is></c>"
                case .amount(let minorUnits):
                    xml += "<c r=\"\(reference)\" s=\"1\"><v>\(NumberWriting.plain(minorUnits))</v></c>"
                case .date(let day):
                    xml += "<c r=\"\(reference)\" s=\"2\"><v>\(serial(day))</v></c>"
                case .count(let count):
                    xml += "<c r=\"\(reference)\"><v>\(count)</v></c>"
                case .empty:
                    break
                }
            }
            xml += "</row>"
        }
        row(1, sheet.headings.map { .text($0) }, heading: true)
        for (index, cells) in sheet.rows.enumerated() { row(index + 2, cells) }
        return xml + "</sheetData></worksheet>"
    }

    /// A, B, …, Z, AA, AB, … for a zero-based column.
    static func columnName(_ column: Int) -> String {
        var column = max(0, column) + 1
        var name = ""
        while column > 0 {
            let remainder = (column - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            column = (column - 1) / 26
        }
        return name
    }

    /// The day as a spreadsheet's serial number (days since 1899-12-30), from the civil date
    /// by integer arithmetic alone.
    static func serial(_ day: LocalDate) -> Int {
        let year = day.month <= 2 ? day.year - 1 : day.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (day.month + (day.month > 2 ? -3 : 9)) + 2) / 5 + day.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let sinceEpoch = era * 146_097 + dayOfEra - 719_468
        return sinceEpoch + 25_569
    }

    /// Text safe inside XML (`Markup.escaped`).
    static func escaped(_ text: String) -> String { Markup.escaped(text) }
}
