import Fluent
import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Awareness campaigns through the pages: made by a communications officer, given actions and
/// their reach, totals per campaign and region, media mentions, and the work that waits.
@Suite("Awareness campaigns")
struct CampaignTests {
    func browser(_ app: Application, _ role: Role) async throws -> (Browser, User) {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
        return (Browser(app, session: try await TestFixtures.session(app, for: user)), user)
    }

    @Test("create (a wrong form comes back as typed) → three actions → reach recorded and totalled by sex, age and region → work item until it is → audited")
    func campaignCycle() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let (officer, _) = try await browser(app, .communicationsOfficer)
            let today = TiranaTime.today(at: app.clock.now())
            let regions = try await GeographyDirectory.load(on: app.db).regions
            let (tirana, kukes) = (regions[0].id.uuidString, regions[1].id.uuidString)

            var fields: [(String, String)] = [
                ("titleSq", "Shenjat e trafikimit"), ("titleEn", "Signs of trafficking"), ("descriptionSq", "Seanca"), ("descriptionEn", "Sessions"),
                ("objectiveSq", "Njohja e shenjave"), ("objectiveEn", "Knowing the signs"), ("audiences[]", "youth"), ("channels[]", "schools"),
                ("regions[]", tirana), ("regions[]", kukes), ("startsOn", today.adding(days: -20).description),
                ("endsOn", today.adding(days: -30).description), ("budget", "5 000,00"), ("partners", ""),
            ]
            try await officer.get("/campaigns/new")
            let wrong = try await officer.post("/campaigns", fields)
            #expect(wrong.status == .badRequest)
            #expect(wrong.body.string.contains(catalog.text("campaign.error.period", .sq)) && wrong.body.string.contains("Shenjat e trafikimit"))
            #expect(try await Campaign.query(on: app.db).count() == 0, "nothing half-written")
            fields = fields.map { $0.0 == "endsOn" ? ("endsOn", today.adding(days: 40).description) : $0 }
            #expect(try await officer.post("/campaigns", fields).status == .seeOther)
            let campaign = try #require(try await Campaign.query(on: app.db).first())
            #expect(campaign.reference == CampaignReference.make(year: today.adding(days: -20).year, number: 1))
            #expect(campaign.status == .planned && campaign.budgetMinor == 500_000)
            let page = "/campaigns/\(campaign.id!)"

            // Three actions: two past in two regions, one to come; one outside the period is refused.
            func action(_ kind: String, _ offset: Int, _ region: String, cost: String = "100") async throws -> TestingHTTPResponse {
                try await officer.post("\(page)/actions", [("kind", kind), ("heldOn", today.adding(days: offset).description), ("region", region),
                                                           ("municipality", ""), ("descriptionSq", "Veprim"), ("descriptionEn", "Action"), ("cost", cost)])
            }
            let outside = try await action("schoolSession", 60, tirana)
            #expect(outside.status == .badRequest && outside.body.string.contains(catalog.text("campaign.error.outsidePeriod", .sq)))
            #expect(try await action("schoolSession", -10, tirana).status == .seeOther)
            #expect(try await action("broadcastSpot", -5, kukes, cost: "1200").status == .seeOther)
            #expect(try await action("publicEvent", 10, kukes).status == .seeOther)
            let actions = try await CampaignAction.query(on: app.db).sort(\.$heldOn).all()
            #expect(actions.count == 3)

            // Two past actions wait for their reach: one item on the officer's home page.
            app.clock.advance(by: 31)
            let home = try await officer.get("/")
            #expect(home.body.string.contains(catalog.text("work.campaign.reach.other", .sq).replacingOccurrences(of: "{count}", with: "2")))

            // Reach: more counted by age than met is refused, as typed; the action to come takes none yet.
            let refused = try await officer.post("\(page)/actions/\(actions[0].id!)/reach", [("female", "30"), ("male", "20"), ("under18", "60")])
            #expect(refused.status == .badRequest && refused.body.string.contains(catalog.text("campaign.error.ages", .sq)))
            #expect(refused.body.string.contains("value=\"60\""))
            #expect(try await officer.post("\(page)/actions/\(actions[2].id!)/reach", [("female", "3")]).status == .conflict)
            #expect(try await officer.post("\(page)/actions/\(actions[0].id!)/reach",
                                           [("female", "30"), ("male", "20"), ("under18", "45"), ("participants", "50")]).status == .seeOther)
            #expect(try await officer.post("\(page)/actions/\(actions[1].id!)/reach", [("impressions", "25000")]).status == .seeOther)

            // The page adds them up: 50 met (30 women), 45 under 18 and 5 of unknown age, per region.
            let shown = try await officer.get(page)
            #expect(shown.status == .ok)
            let body = shown.body.string
            #expect(body.contains(Display.count(25_000, .sq)) && body.contains(catalog.text("campaign.totals.byRegion", .sq)))
            let service = CampaignService(database: app.db, services: app.services)
            let totals = ReachTotals.of(try await service.actions(of: campaign).map(\.totalsAction), mentions: 0)
            #expect(totals.reachedDirectly == 50 && totals.bySex[.female] == 30 && totals.byAge == [.under18: 45, .unknown: 5])
            #expect(totals.impressions == 25_000 && totals.cost == 140_000 && totals.actionsWithReach == 2)
            #expect(ReachTotals.perRegion(try await service.actions(of: campaign).map(\.totalsAction))[regions[1].id]?.impressions == 25_000)

            // Nothing waits any more.
            app.clock.advance(by: 31)
            #expect(!(try await officer.get("/").body.string.contains(catalog.text("work.campaign.reach.one", .sq))))

            // A correction is audited as one; every change carries the reference and no personal data.
            #expect(try await officer.post("\(page)/actions/\(actions[0].id!)/reach", [("female", "31"), ("male", "20")]).status == .seeOther)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$targetType == "campaign").all().map(\.action)
            #expect(audited.filter { $0 == "campaign.actionAdded" }.count == 3)
            #expect(audited.contains("campaign.reachRecorded") && audited.contains("campaign.reachCorrected") && audited.contains("campaign.created"))

            // Completing asks first and needs a reason; a late reach figure is still taken after.
            #expect(try await officer.post("\(page)/start").status == .seeOther)
            let ask = try await officer.post("\(page)/complete")
            #expect(ask.status == .ok && ask.body.string.contains(catalog.text("campaign.complete.confirmTitle", .sq)))
            #expect(try await officer.post("\(page)/complete", [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await Campaign.find(campaign.id, on: app.db)?.status == .running)
            #expect(try await officer.post("\(page)/complete", [("confirmed", "yes"), ("reason", "Të gjitha veprimet u zhvilluan")]).status == .seeOther)
            #expect(try await Campaign.find(campaign.id, on: app.db)?.status == .completed)
            let completed = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "campaign.complete").first())
            #expect(completed.details.contains("Të gjitha veprimet u zhvilluan"))
            #expect(try await officer.post("\(page)/actions/\(actions[1].id!)/reach", [("impressions", "26000")]).status == .seeOther)
        }
    }

    @Test("mentions: a script link is refused as typed; removing one asks for a reason first; a cancelled campaign takes no further change")
    func mentionsAndCancellation() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let (officer, _) = try await browser(app, .programmeManager)
            let today = TiranaTime.today(at: app.clock.now())
            let region = try #require(try await GeographyDirectory.load(on: app.db).regions.first?.id.uuidString)
            try await officer.get("/campaigns")
            #expect(try await officer.post("/campaigns", [
                ("titleSq", "Punë e denjë"), ("titleEn", "Decent work"), ("descriptionSq", "P"), ("descriptionEn", "D"), ("objectiveSq", "O"),
                ("objectiveEn", "O"), ("audiences[]", "employers"), ("channels[]", "radio"), ("regions[]", region),
                ("startsOn", today.description), ("endsOn", today.adding(days: 30).description)]).status == .seeOther)
            let campaign = try #require(try await Campaign.query(on: app.db).first())
            let page = "/campaigns/\(campaign.id!)"

            let script = try await officer.post("\(page)/mentions", [("outlet", "Lajme"), ("publishedOn", today.description), ("kind", "online"),
                                                                     ("link", "javascript:alert(1)")])
            #expect(script.status == .badRequest && script.body.string.contains(catalog.text("form.error.url", .sq)))
            #expect(script.body.string.contains("value=\"Lajme\""))
            #expect(try await CampaignMention.query(on: app.db).count() == 0)
            #expect(try await officer.post("\(page)/mentions", [("outlet", "Lajme"), ("publishedOn", today.description), ("kind", "online"),
                                                                ("link", "https://example.org/a")]).status == .seeOther)
            let mention = try #require(try await CampaignMention.query(on: app.db).first())
            #expect(try await officer.get(page).body.string.contains("rel=\"noopener noreferrer\""))

            // Removing: the first post only asks; the confirmed one without a reason asks again.
            let ask = try await officer.post("\(page)/mentions/\(mention.id!)/remove")
            #expect(ask.status == .ok && ask.body.string.contains(catalog.text("campaign.mention.removeTitle", .sq)))
            #expect(try await officer.post("\(page)/mentions/\(mention.id!)/remove", [("confirmed", "yes"), ("reason", "")]).status == .badRequest)
            #expect(try await CampaignMention.query(on: app.db).count() == 1)
            #expect(try await officer.post("\(page)/mentions/\(mention.id!)/remove", [("confirmed", "yes"), ("reason", "E dyfishtë")]).status == .seeOther)
            #expect(try await CampaignMention.query(on: app.db).count() == 0)

            // Start, then cancel with a reason: the reason is in the audit; nothing changes after.
            #expect(try await officer.post("\(page)/complete").status == .conflict)
            #expect(try await officer.post("\(page)/start").status == .seeOther)
            #expect(try await officer.post("\(page)/cancel", [("confirmed", "yes"), ("reason", "Partneri u tërhoq")]).status == .seeOther)
            let cancelled = try #require(try await Campaign.find(campaign.id, on: app.db))
            #expect(cancelled.status == .cancelled)
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "campaign.cancel").first())
            #expect(entry.details.contains("Partneri u tërhoq"))
            let late = try await officer.post("\(page)/mentions", [("outlet", "Lajme"), ("publishedOn", today.description), ("kind", "radio")])
            #expect(late.status == .conflict && late.body.string.contains(catalog.text("campaign.error.cancelled", .sq)))
            #expect(try await officer.get("\(page)/edit").status == .conflict)
        }
    }
}

@Suite("Campaign evidence")
struct CampaignEvidenceTests {
    /// A 16 × 16 JPEG without metadata (CPython's test image), tagged by each test with exiftool.
    static let plainJPEG = [UInt8](Data(base64Encoded: """
            /9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSEx
            IQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAQ
            ABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAA
            AAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPk
            JWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWn
            WO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0
            vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolvw4KOp1KM6iCNvngZHwetf//Z
            """, options: .ignoreUnknownCharacters)!)

    /// Runs exiftool (Debian's libimage-exiftool-perl, installed by scripts/test) and returns what it printed.
    @discardableResult
    static func exiftool(_ arguments: [String]) throws -> String {
        let tool = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(tool, "exiftool is needed: scripts/test installs libimage-exiftool-perl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A campaign made through the form by someone of `role`, and that person's browser.
    static func campaign(_ app: Application, _ role: Role) async throws -> (Browser, String) {
        let user = try await TestFixtures.user(app, grants: [RoleGrant(role: role)])
        let officer = Browser(app, session: try await TestFixtures.session(app, for: user))
        let region = try #require(try await GeographyDirectory.load(on: app.db).regions.first?.id.uuidString)
        let today = TiranaTime.today(at: app.clock.now())
        try await officer.get("/campaigns")
        #expect(try await officer.post("/campaigns", [
            ("titleSq", "Fushatë"), ("titleEn", "Campaign"), ("descriptionSq", "P"), ("descriptionEn", "D"), ("objectiveSq", "O"),
            ("objectiveEn", "O"), ("audiences[]", "youth"), ("channels[]", "schools"), ("regions[]", region),
            ("startsOn", today.adding(days: -10).description), ("endsOn", today.adding(days: 30).description)]).status == .seeOther)
        let campaign = try #require(try await Campaign.query(on: app.db).first())
        return (officer, "/campaigns/\(campaign.id!)")
    }

    @Test("a large photo gets a copy of at most 1,200 pixels for the public pages, as free of metadata as the original; staff keep the original; removing it removes both")
    func reducedCopy() async throws {
        try await withFuqizo(["FUQIZO_PHOTO_COPIES": "on"]) { app in
            #expect(app.services.photoReducer.executable != nil, "vipsthumbnail is needed: scripts/test installs libvips-tools")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-large-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            // A 2,400 × 1,600 camera photo with its position, made by libvips and tagged by exiftool.
            let large = directory.appendingPathComponent("IMG_2041.jpg")
            let vips = try #require(["/usr/bin/vips", "/usr/local/bin/vips"].first { FileManager.default.isExecutableFile(atPath: $0) })
            let make = Process()
            make.executableURL = URL(fileURLWithPath: vips)
            make.arguments = ["gaussnoise", large.path + "[Q=95]", "2400", "1600"]
            try make.run()
            make.waitUntilExit()
            try Self.exiftool(["-q", "-overwrite_original", "-GPSLatitude=42.0769", "-GPSLatitudeRef=N", "-SerialNumber=CAM12345", large.path])
            let photo = [UInt8](try Data(contentsOf: large))
            let (officer, page) = try await Self.campaign(app, .communicationsOfficer)
            #expect(try await officer.upload("\(page)/evidence", [("altSq", "Sheshi"), ("altEn", "The square")], file: ("file", "IMG_2041.jpg", photo)).status == .seeOther)
            let evidence = try #require(try await CampaignEvidence.query(on: app.db).first())
            let reducedSize = try #require(evidence.reducedSize, "a smaller copy was made")
            #expect(reducedSize < evidence.size / 2, "the copy is much lighter: \(reducedSize) of \(evidence.size) bytes")
            // Public once the campaign runs: the visitor gets the copy, read back by exiftool.
            #expect(try await officer.post("\(page)/start").status == .seeOther)
            let served = try await Browser(app).get("/media/\(evidence.id!.uuidString)")
            #expect(served.status == .ok && served.body.readableBytes == Int(reducedSize))
            let copy = directory.appendingPathComponent("copy.jpg")
            try Data(served.body.readableBytesView).write(to: copy)
            let read = try Self.exiftool(["-a", "-G1", "-s", "-ImageWidth", "-ImageHeight", "-GPS:all", "-SerialNumber", copy.path])
            #expect(read.contains("ImageWidth                      : 1200") && read.contains("ImageHeight                     : 800"), "\(read)")
            #expect(!read.contains("GPS") && !read.contains("CAM12345"), "\(read)")
            // Staff download the original (without its metadata, as always).
            #expect(try await officer.get("\(page)/evidence/\(evidence.id!)").body.readableBytes == Int(evidence.size))
            // Removed: both files go.
            #expect(try await officer.post("\(page)/evidence/\(evidence.id!)/remove", [("confirmed", "yes"), ("reason", "Fotografi e gabuar")]).status == .seeOther)
            #expect(try await StoredFileCount.of(app) == 0)
        }
    }

    @Test("a phone photo with its GPS position is kept without any metadata, as exiftool reads the stored file; people in it need a consent that holds, and a withdrawal withholds it")
    func photoStrippedAndConsented() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuqizo-photo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let tagged = directory.appendingPathComponent("IMG_Kukes_Arta.jpg")
            try Data(Self.plainJPEG).write(to: tagged)
            try Self.exiftool(["-q", "-overwrite_original", "-GPSLatitude=42.0769", "-GPSLatitudeRef=N", "-GPSLongitude=20.4219",
                               "-GPSLongitudeRef=E", "-SerialNumber=CAM12345", "-XMP:Description=Kukes safe house", "-Comment=home address", tagged.path])
            #expect(try Self.exiftool(["-s", "-GPSLatitude", tagged.path]).contains("42 deg"), "the photo carries its position before upload")
            let photo = [UInt8](try Data(contentsOf: tagged))
            let (officer, page) = try await Self.campaign(app, .communicationsOfficer)

            // Without its alternative text, and with people but no consent: back with the messages, nothing kept.
            let bare = try await officer.upload("\(page)/evidence", [("identifiable", "yes"), ("captionSq", "Seanca")],
                                                file: ("file", "IMG_Kukes_Arta.jpg", photo))
            #expect(bare.status == .badRequest)
            #expect(bare.body.string.contains(catalog.text("campaign.evidence.error.consent", .sq)) && bare.body.string.contains("value=\"Seanca\""))
            let unknown = try await officer.upload("\(page)/evidence", [("altSq", "Nxënës në klasë"), ("altEn", "Pupils in a classroom"),
                                                                       ("identifiable", "yes"), ("survivorCode", "KU-2026-9999")],
                                                   file: ("file", "IMG_Kukes_Arta.jpg", photo))
            #expect(unknown.status == .badRequest && unknown.body.string.contains(catalog.text("campaign.evidence.error.noConsent", .sq)))
            #expect(try await CampaignEvidence.query(on: app.db).count() == 0)

            // A survivor whose case worker recorded her consent to photos and media.
            let desk = try await CaseDesk.make(app)
            let code = try await desk.register(CaseDesk.intake(region: try await CaseDesk.region(app), consents: [.services, .media]))
            #expect(try await officer.upload("\(page)/evidence", [("altSq", "Nxënës në klasë"), ("altEn", "Pupils in a classroom"),
                                                                  ("identifiable", "yes"), ("survivorCode", code.lowercased())],
                                             file: ("file", "IMG_Kukes_Arta.jpg", photo)).status == .seeOther)
            let evidence = try #require(try await CampaignEvidence.query(on: app.db).first())
            #expect(evidence.isPhoto && evidence.filename.hasPrefix("photo-") && !evidence.filename.contains("Kukes"), "a phone's file name is not kept")
            #expect(try await EvidenceConsent.query(on: app.db).count() == 1)

            // The stored bytes, read back by exiftool: no EXIF, GPS, XMP, maker or comment left.
            guard let sql = app.db as? any SQLDatabase else { return }
            let stored = try #require(try await sql.raw("SELECT content FROM stored_files WHERE digest = \(bind: evidence.digest)").first())
            let kept = directory.appendingPathComponent("kept.jpg")
            try stored.decode(column: "content", as: Data.self).write(to: kept)
            let read = try Self.exiftool(["-a", "-G1", "-s", kept.path])
            #expect(read.contains("ImageWidth") && read.contains("16"), "exiftool reads a JPEG: \(read)")
            for group in ["[IFD0]", "[GPS]", "[ExifIFD]", "[XMP", "[JFIF]", "[ICC"] { #expect(!read.contains(group), "\(group) left: \(read)") }
            for secret in ["CAM12345", "Kukes", "home address", "42 deg", "GPS", "Comment"] { #expect(!read.contains(secret), "\(secret) left") }

            // Shown on the page; the file served is the clean one, inline, never cached.
            let shown = try await officer.get(page)
            #expect(shown.body.string.contains("alt=\"Nxënës në klasë\"") && !shown.body.string.contains(code))
            #expect(!shown.body.string.contains(catalog.text("campaign.evidence.withheld", .sq)))
            let served = try await officer.get("\(page)/evidence/\(evidence.id!)")
            #expect(served.status == .ok && served.headers.first(name: .contentType) == "image/jpeg")
            let keptBytes = [UInt8](try Data(contentsOf: kept))
            #expect(served.headers.first(name: .cacheControl) == "private, no-store" && [UInt8](served.body.readableBytesView) == keptBytes)

            // Her consent withdrawn: the photo is withheld from the public at the next request.
            let media = try #require(try await SurvivorConsent.query(on: app.db).filter(\.$purpose == "media").first())
            #expect(try await desk.post(code, "consents/\(media.id!.uuidString)/withdraw", [("confirmed", "yes"), ("reason", "survivorAsked")]).status == .seeOther)
            #expect(try await officer.get(page).body.string.contains(catalog.text("campaign.evidence.withheld", .sq)))
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "campaign.evidenceAdded").first())
            #expect(!entry.details.contains(code), "the campaign's audit never names her")

            // Removing asks for a reason, then deletes the bytes too.
            #expect(try await officer.post("\(page)/evidence/\(evidence.id!)/remove", [("confirmed", "yes"), ("reason", "Pa pëlqim")]).status == .seeOther)
            #expect(try await CampaignEvidence.query(on: app.db).count() == 0)
            #expect(try await sql.raw("SELECT content FROM stored_files WHERE digest = \(bind: evidence.digest)").first() == nil)
        }
    }

    @Test("a document is kept as it is and downloaded; a file whose bytes are neither, or whose name disagrees, is refused with its message")
    func documentsAndRefusals() async throws {
        try await withFuqizo { app in
            let catalog = app.services.catalog
            let (officer, page) = try await Self.campaign(app, .programmeManager)
            let script = try await officer.upload("\(page)/evidence", [("captionSq", "Fletëpalosja"), ("captionEn", "Leaflet")],
                                                  file: ("file", "leaflet.html", Array("<script>alert(1)</script>".utf8)))
            #expect(script.status == .badRequest && script.body.string.contains(catalog.text("document.error.unsupportedType", .sq)))
            let renamed = try await officer.upload("\(page)/evidence", [("altSq", "Foto"), ("altEn", "Photo")],
                                                   file: ("file", "photo.pdf", Self.plainJPEG))
            #expect(renamed.status == .badRequest && renamed.body.string.contains(catalog.text("document.error.nameDoesNotMatch", .sq)))
            let pdf = Array("%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF".utf8)
            #expect(try await officer.upload("\(page)/evidence", [("captionSq", "Raporti i fushatës"), ("captionEn", "Campaign report")],
                                             file: ("file", "raporti.pdf", pdf)).status == .seeOther)
            let evidence = try #require(try await CampaignEvidence.query(on: app.db).first())
            let served = try await officer.get("\(page)/evidence/\(evidence.id!)")
            #expect(served.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true && [UInt8](served.body.readableBytesView) == pdf)
            #expect(try await officer.get(page).body.string.contains("Raporti i fushatës"))
        }
    }
}
