import Foundation
@testable import FuqizoCore
import Testing

@Suite("Application checklist")
struct ApplicationRuleTests {
    static let rules = GrantRules(minimumGrantMinorUnits: 1_000_000, maximumGrantMinorUnits: 6_000_000)

    func concept() -> ApplicationContent {
        var content = ApplicationContent()
        content.title = "Punë për gratë"
        content.summary = "Trajnim dhe punësim."
        content.problem = "Papunësia."
        content.activities = "Trajnime."
        content.requested = "45000"
        return content
    }

    func full() -> ApplicationContent {
        var content = concept()
        content.workPlan = "Muajt 1–12."
        content.partners = "Asnjë."
        content.sustainability = "Punëdhënës vendas."
        content.objective = "40 gra në punë."
        content.results = [.init(result: "Trajnim", indicator: "Certifikata", baseline: "0", target: "40"), .init()]
        content.lines = [
            .init(heading: "humanResources", description: "Trajner", units: "12", unitCost: "2500"),
            .init(heading: "indirect", description: "Zyra", units: "1", unitCost: "2100"),
            .init(),
        ]
        content.requested = "30000"
        return content
    }

    @Test("a concept note needs its four sections and an amount within the lot's range; not the budget")
    func conceptChecklist() {
        #expect(concept().problems(stage: .concept, rules: Self.rules, currency: "EUR").isEmpty)
        var content = concept()
        content.problem = "   "
        content.requested = "5000"
        let problems = content.problems(stage: .concept, rules: Self.rules, currency: "EUR")
        #expect(problems["problem"] == "form.error.required")
        #expect(problems["requested"] == "budget.error.belowMinimum")
        #expect(problems["workPlan"] == nil && problems["budget"] == nil)
        content.requested = "lots"
        #expect(content.problems(stage: .concept, rules: Self.rules, currency: "EUR")["requested"] == "call.error.amount")
    }

    @Test("a full application needs every section, a complete result, and a budget within the rules")
    func fullChecklist() {
        // 30,000 direct, 2,100 indirect = 7 % exactly; 30,000 of 32,100 is 93 % → co-financing missing.
        var content = full()
        var problems = content.problems(stage: .full, rules: Self.rules, currency: "EUR")
        #expect(problems.messages == ["requested": "budget.error.coFinancing"])
        content.requested = "28890"  // exactly 90 % of 32,100
        #expect(content.problems(stage: .full, rules: Self.rules, currency: "EUR").isEmpty)
        content.lines[1].unitCost = "2101"
        #expect(content.problems(stage: .full, rules: Self.rules, currency: "EUR")["indirect"] == "budget.error.indirectTooHigh")

        content = full()
        content.results[1].indicator = "Half a row"
        content.lines[2] = .init(heading: "", description: "No heading", units: "1", unitCost: "10")
        content.sustainability = String(repeating: "x", count: ApplicationContent.maximumSectionLength + 1)
        problems = content.problems(stage: .full, rules: Self.rules, currency: "EUR")
        #expect(problems["result-1"] == "application.error.resultIncomplete")
        #expect(problems["line-2"] == "budget.error.lineHeading")
        #expect(problems["sustainability"] == "form.error.tooLong")
    }

    @Test("a budget error names the row the person typed, even after blank rows")
    func lineErrorsPointAtTheirRow() {
        var content = full()
        content.lines = [.init(), .init(heading: "travel", description: "", units: "2", unitCost: "100"),
                         .init(heading: "travel", description: "Bus", units: "0", unitCost: "100")]
        let problems = content.problems(stage: .full, rules: Self.rules, currency: "EUR")
        #expect(problems["line-1"] == "budget.error.lineDescription")
        #expect(problems["line-2"] == "budget.error.lineAmount")
        #expect(problems["line-0"] == nil)
    }

    @Test("an application with no budget lines is told to add one")
    func emptyBudget() {
        var content = full()
        content.lines = []
        #expect(content.problems(stage: .full, rules: Self.rules, currency: "EUR")["budget"] == "budget.error.empty")
    }

    @Test("the receipt digest is stable, ignores blank rows, and changes with any character")
    func digest() {
        let content = full()
        var withoutBlanks = content
        withoutBlanks.results.removeLast()
        withoutBlanks.lines.removeLast()
        #expect(content.contentDigest() == withoutBlanks.contentDigest())
        var changed = content
        changed.summary += "."
        #expect(changed.contentDigest() != content.contentDigest())
        #expect(content.contentDigest().count == 64)
    }

    @Test("application references follow the call's")
    func references() {
        #expect(GrantReference.application(callReference: "CFP-2019-01", number: 14) == "APP-2019-01-014")
    }
}

@Suite("Documents")
struct DocumentRuleTests {
    static func zip(firstEntry name: String, content: String, more: [String] = []) -> [UInt8] {
        // A minimal local file header: signature, version, flags, method 0, times, crc, sizes, name/extra lengths.
        var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 22)
        bytes += [UInt8(name.utf8.count), 0, 0, 0] + Array(name.utf8) + Array(content.utf8)
        for other in more { bytes += [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 22) + [UInt8(other.utf8.count), 0, 0, 0] + Array(other.utf8) }
        return bytes
    }

    @Test("the type comes from the content: PDF, OOXML, OpenDocument and legacy Office; nothing else")
    func detection() {
        #expect(DocumentKind.detect(Array("%PDF-1.7\n...".utf8)) == .pdf)
        #expect(DocumentKind.detect(Self.zip(firstEntry: "[Content_Types].xml", content: "<Types/>", more: ["word/document.xml"])) == .docx)
        #expect(DocumentKind.detect(Self.zip(firstEntry: "[Content_Types].xml", content: "<Types/>", more: ["xl/workbook.xml"])) == .xlsx)
        #expect(DocumentKind.detect(Self.zip(firstEntry: "mimetype", content: "application/vnd.oasis.opendocument.text")) == .odt)
        #expect(DocumentKind.detect(Self.zip(firstEntry: "mimetype", content: "application/vnd.oasis.opendocument.spreadsheet")) == .ods)
        #expect(DocumentKind.detect([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]) == .legacyOffice)
        // A plain zip, an executable, HTML and an image are refused.
        #expect(DocumentKind.detect(Self.zip(firstEntry: "notes.txt", content: "hello")) == nil)
        #expect(DocumentKind.detect([0x4D, 0x5A, 0x90, 0x00]) == nil)
        #expect(DocumentKind.detect(Array("<html><script>alert(1)</script>".utf8)) == nil)
        #expect(DocumentKind.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == nil)
    }

    @Test("an upload must be non-empty, within the limit, and named as what it is")
    func checks() {
        let pdf = Array("%PDF-1.4 body".utf8)
        guard case .success(let document) = DocumentCheck.check(filename: "C:\\Users\\x\\Statuti.pdf", bytes: pdf, maximumBytes: 100) else {
            Issue.record("a small PDF is accepted")
            return
        }
        #expect(document.filename == "Statuti.pdf" && document.kind == .pdf && document.digest.count == 64)
        #expect(DocumentCheck.check(filename: "a.pdf", bytes: [], maximumBytes: 100) == .failure(.empty))
        #expect(DocumentCheck.check(filename: "a.pdf", bytes: pdf, maximumBytes: 5) == .failure(.tooLarge))
        #expect(DocumentCheck.check(filename: "a.exe", bytes: [0x4D, 0x5A], maximumBytes: 100) == .failure(.unsupportedType))
        #expect(DocumentCheck.check(filename: "invoice.docx", bytes: pdf, maximumBytes: 100) == .failure(.nameDoesNotMatch))
        #expect(DocumentCheck.check(filename: "report.pdf.html", bytes: pdf, maximumBytes: 100) == .failure(.nameDoesNotMatch))
        #expect(DocumentCheck.safeFilename("../../etc/\"passwd\".pdf") == "passwd.pdf")
        #expect(DocumentCheck.safeFilename(".pdf") == "file.pdf")
    }

    @Test("the submission digest covers the attachments")
    func digestCoversAttachments() {
        var content = ApplicationContent()
        content.title = "Projekt"
        let one = content.contentDigest(attachments: [AttachedDocument(label: "Statuti", digest: "aa")])
        #expect(one != content.contentDigest())
        #expect(one != content.contentDigest(attachments: [AttachedDocument(label: "Statuti", digest: "ab")]))
        #expect(content.contentDigest(attachments: [.init(label: "A", digest: "1"), .init(label: "B", digest: "2")])
            == content.contentDigest(attachments: [.init(label: "B", digest: "2"), .init(label: "A", digest: "1")]))
    }
}
