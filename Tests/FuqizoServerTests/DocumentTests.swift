import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("Documents")
struct DocumentTests {
    static let pdf = Array("%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n".utf8)

    func csoUser(_ app: Application, organisation: Organisation) async throws -> Browser {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: .csoUser, organisationID: organisation.id)])
        return Browser(app, session: try await TestFixtures.session(app, for: user))
    }

    func startApplication(_ app: Application, _ browser: Browser, call: GrantCall) async throws -> String {
        try await browser.get("/applications")
        let response = try await browser.post("/applications", [("callID", call.id!.uuidString), ("lotID", call.lots.first!.id!.uuidString)])
        return try #require(response.location)
    }

    @Test("an applicant attaches PDFs and office files checked by content; only those with access can download them")
    func applicationAttachments() async throws {
        try await withFuqizo { app in
            let call = try await TestFixtures.publishedCall(app)
            let organisation = try await TestFixtures.organisation(app)
            let browser = try await csoUser(app, organisation: organisation)
            let path = try await startApplication(app, browser, call: call)
            try await browser.get(path)

            // A program renamed to .pdf is refused with a message, and the label comes back.
            var response = try await browser.upload("\(path)/attachments", [("label", "Statuti")],
                                                    file: ("file", "statuti.pdf", [0x4D, 0x5A, 0x90, 0x00, 0x03]))
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("document.error.unsupportedType", .sq)))
            #expect(response.body.string.contains("value=\"Statuti\""))
            #expect(try await Attachment.query(on: app.db).count() == 0)

            response = try await browser.upload("\(path)/attachments", [("label", "Statuti")], file: ("file", "Statuti i shoqatës.pdf", Self.pdf))
            #expect(response.status == .seeOther)

            // The upload button belongs to the application's form: the text typed since the last
            // save arrives with the file and is saved first; a refused file keeps it on the page.
            let applicationID = try #require(UUID(uuidString: String(path.split(separator: "/").last ?? "")))
            var revision = try #require(try await GrantApplication.find(applicationID, on: app.db)).revision
            try await browser.get(path)
            response = try await browser.upload("\(path)/attachments", [("revision", String(revision)), ("title", "Titulli i shkruar para skedarit"),
                                                                        ("summary", "Përmbledhja e shkruar"), ("label", "Plani")],
                                                file: ("file", "plani.pdf", Self.pdf))
            #expect(response.status == .seeOther)
            var stored = try #require(try await GrantApplication.find(applicationID, on: app.db))
            #expect(stored.content(stored.stage).title == "Titulli i shkruar para skedarit" && stored.content(stored.stage).summary == "Përmbledhja e shkruar")
            revision = stored.revision
            try await browser.get(path)
            response = try await browser.upload("\(path)/attachments", [("revision", String(revision)), ("title", "Titulli i dytë"), ("label", "Program")],
                                                file: ("file", "program.pdf", [0x4D, 0x5A, 0x90, 0x00, 0x03]))
            #expect(response.status == .badRequest && response.body.string.contains("Titulli i dytë"), "a refused file keeps the text")
            stored = try #require(try await GrantApplication.find(applicationID, on: app.db))
            #expect(stored.content(stored.stage).title == "Titulli i dytë", "and it is saved")
            try await Attachment.query(on: app.db).filter(\.$label == "Plani").delete()
            // The same bytes again are stored once.
            try await browser.get(path)
            try await browser.upload("\(path)/attachments", [("label", "Statuti (kopje)")], file: ("file", "kopje.pdf", Self.pdf))
            let sql = try #require(app.db as? any SQLDatabase)
            let files = try await sql.raw("SELECT COUNT(*) AS n FROM stored_files").first()!.decode(column: "n", as: Int.self)
            #expect(files == 1)
            let attachment = try #require(try await Attachment.query(on: app.db).filter(\.$label == "Statuti").first())
            #expect(attachment.kind == "pdf" && attachment.filename == "Statuti i shoqatës.pdf")
            let page = try await browser.get(path).body.string
            #expect(page.contains("Statuti i shoqatës.pdf"))

            let download = try await browser.get("\(path)/attachments/\(attachment.id!.uuidString)")
            #expect(download.status == .ok && Array(download.body.readableBytesView) == Self.pdf)
            #expect(download.headers.first(name: .contentType) == "application/pdf")
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            #expect(download.headers.first(name: .cacheControl) == "private, no-store")

            // Another CSO cannot reach it; the grants officer not before submission.
            let other = try await csoUser(app, organisation: try await TestFixtures.organisation(app, name: "Tjetër"))
            #expect(try await other.get("\(path)/attachments/\(attachment.id!.uuidString)").status == .notFound)
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let officerBrowser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            let id = String(path.dropFirst("/applications/".count))
            let officerPath = "/grants/applications/\(id)/attachments/\(attachment.id!.uuidString)"
            #expect(try await officerBrowser.get(officerPath).status == .notFound)

            // Removing one, then submitting: the digest covers the attachment that is left.
            try await browser.get(path)
            let copy = try #require(try await Attachment.query(on: app.db).filter(\.$label == "Statuti (kopje)").first())
            #expect(try await browser.post("\(path)/attachments/\(copy.id!.uuidString)/delete").status == .seeOther)
            try await browser.get(path)
            let current = try #require(try await GrantApplication.find(UUID(uuidString: id)!, on: app.db)).revision
            response = try await browser.post(path, [("revision", String(current)), ("intent", "submit")] + ApplicationTests.conceptFields)
            #expect(response.status == .seeOther)
            let application = try #require(try await GrantApplication.find(UUID(uuidString: id)!, on: app.db))
            #expect(application.conceptDigest == application.content(.concept).contentDigest(
                attachments: [AttachedDocument(label: "Statuti", digest: attachment.digest)]))
            #expect(try await officerBrowser.get(officerPath).status == .ok)
            // Submitted: no more uploads.
            try await browser.get(path)
            #expect(try await browser.upload("\(path)/attachments", [("label", "Late")], file: ("file", "late.pdf", Self.pdf)).status == .conflict)
        }
    }

    @Test("a file over the size limit comes back as a message on the form")
    func sizeLimit() async throws {
        try await withFuqizo(["FUQIZO_MAX_UPLOAD_MB": "0.001"]) { app in
            let call = try await TestFixtures.publishedCall(app)
            let browser = try await csoUser(app, organisation: try await TestFixtures.organisation(app))
            let path = try await startApplication(app, browser, call: call)
            try await browser.get(path)
            let big = Self.pdf + Array(repeating: 0x20, count: 2000)
            let response = try await browser.upload("\(path)/attachments", [("label", "Raporti")], file: ("file", "raporti.pdf", big))
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(app.services.catalog.text("document.error.tooLarge", .sq)))
        }
    }

    @Test("a call's documents: added by the officer, public once the call is, kept after publication")
    func callDocuments() async throws {
        try await withFuqizo { app in
            let officer = try await TestFixtures.user(app, grants: [RoleGrant(role: .grantsOfficer)])
            let browser = Browser(app, session: try await TestFixtures.session(app, for: officer))
            var form = try CallService.form(from: try await TestFixtures.publishedCall(app))
            form.reference = "CFP-2019-02"
            guard case .success(let callID) = try await CallService(database: app.db, services: app.services).save(form, id: nil, actor: officer.id!)
            else { Issue.record("call not saved"); return }
            let path = "/grants/calls/\(callID.uuidString)"
            try await browser.get(path)
            var response = try await browser.upload("\(path)/documents", [("title", "Udhëzimet"), ("category", "")],
                                                    file: ("file", "udhezimet.pdf", Self.pdf))
            #expect(response.status == .badRequest && response.body.string.contains("value=\"Udhëzimet\""))
            response = try await browser.upload("\(path)/documents", [("title", "Udhëzimet"), ("category", "guidelines")],
                                                file: ("file", "udhezimet.pdf", Self.pdf))
            #expect(response.status == .seeOther)
            let document = try #require(try await Attachment.query(on: app.db).filter(\.$ownerID == callID).first())
            let anonymous = Browser(app)
            let publicPath = "/calls/\(callID.uuidString)/documents/\(document.id!.uuidString)"
            #expect(try await anonymous.get(publicPath).status == .notFound, "a draft call's documents are not public")
            #expect(try await browser.get("\(path)/documents/\(document.id!.uuidString)").status == .ok)

            try await browser.get(path)
            #expect(try await browser.post("\(path)/publish").status == .seeOther)
            #expect(try await anonymous.get("/calls/\(callID.uuidString)").body.string.contains("Udhëzimet"))
            let download = try await anonymous.get(publicPath)
            #expect(download.status == .ok && Array(download.body.readableBytesView) == Self.pdf)
            try await browser.get(path)
            #expect(try await browser.post("\(path)/documents/\(document.id!.uuidString)/delete").status == .conflict)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "call.documentAdded").count() == 1)
        }
    }
}
