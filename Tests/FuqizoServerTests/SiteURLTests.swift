import Foundation
@testable import FuqizoCore
@testable import FuqizoServer
import Testing
import Vapor

/// Links are built from `SiteURL`: each of its paths must lead to a registered route, so a
/// route renamed without its link (or a link to nowhere) fails here, not in a person's browser.
@Suite("Typed links")
struct SiteURLTests {
    static let id = UUID()

    /// One example of every case. A new case does not compile until `isBase` classifies it;
    /// give it its example here at the same time.
    static let examples: [SiteURL] = [
        .home, .disclaimer, .newUser, .region(id), .newOrganisation, .editOrganisation(id), .newCall, .editCall(id),
        .callGrid(id, .concept), .newSurvivor, .signIn, .signInCode, .signInEnrol, .forgotPassword, .setup(token: "t"), .account, .accountTwoFactor, .accountPassword,
        .users, .user(id), .regions, .settings, .auditTrail, .auditExport, .outbox,
        .organisations, .organisation(id), .myOrganisations, .register, .accountRequests, .accountRequest(id),
        .calls, .call(id), .callDocuments(id), .callQuestions(id), .callCommittee(id), .callLetters(id), .callApplications(id),
        .ranking(call: id, stage: .concept), .grantFigures,
        .publicCalls, .publicCall(id), .publicCallDocuments(id),
        .applications, .application(id), .applicationReceipt(id), .applicationAttachments(id),
        .review(id), .reviewAttachments(id), .letter(application: id, letter: id), .applicantLetter(application: id, letter: id),
        .evaluation, .assignment(id), .assignmentAttachments(id),
        .contracts, .contract(id), .contractPrint(id), .editContract(id), .awardContract(id), .myGrants, .report(contract: id, number: 1), .visit(contract: id, number: 1), .contractsExport(.csv), .reportExport(contract: id, number: 1, .xlsx),
        .survivors, .survivor(code: "KU-2026-0001"), .referrals, .referral(id), .club, .clubSession(id), .survivorStatistics,
        .capacity, .newCapacityRound, .capacityRound(id), .capacityInstrument(id), .selfAssessment(id), .organisationCapacity(id), .needsMap, .csoPeople(id), .csoPerson(organisation: id, person: id),
        .events, .newEvent, .event(id), .editEvent(id), .eventSession(event: id, number: 1), .attendanceSheet(event: id, number: 1),
        .certificate(event: id, registration: id), .eventDocuments(id), .verifyCertificate,
        .questionnaires(id), .eventTest(event: id, phase: .preTest), .answerCode, .answer(code: "7KQ2M-9XD4R"),
        .campaigns, .newCampaign, .campaign(id), .editCampaign(id), .newCampaignAction(id), .campaignAction(campaign: id, action: id),
        .articles, .newArticle, .article(id), .articleVersion(article: id, number: 1), .library, .publication(id),
        .monitoring, .logframe, .logframeVersion(id), .newLogframeEntry(id), .logframeEntry(id), .newIndicator(id), .logframeIndicator(id),
        .indicatorValues, .donorReports, .donorReport(id), .donorReportExport(id, .xlsx), .openDataSettings, .backups,
    ]

    /// Paths that are the base of a list's members (`…/documents/<id>`), not pages themselves.
    static func isBase(_ url: SiteURL) -> Bool {
        switch url {
        case .callDocuments, .publicCallDocuments, .applicationAttachments, .reviewAttachments, .assignmentAttachments, .eventDocuments: true
        case .home, .disclaimer, .newUser, .region, .newOrganisation, .editOrganisation, .newCall, .editCall, .callGrid, .newSurvivor, .signIn, .signInCode, .signInEnrol, .forgotPassword, .setup, .account, .accountTwoFactor, .accountPassword, .users, .user, .regions,
             .settings, .auditTrail, .auditExport, .outbox, .organisations, .organisation, .myOrganisations, .register, .accountRequests, .accountRequest, .calls, .call, .callQuestions,
             .callCommittee, .callLetters, .callApplications, .ranking, .grantFigures, .publicCalls, .publicCall, .applications,
             .application, .applicationReceipt, .review, .letter, .applicantLetter, .evaluation, .assignment, .survivors, .survivor, .referrals,
             .referral, .club, .clubSession, .survivorStatistics, .contracts, .contract, .contractPrint, .editContract, .awardContract,
             .myGrants, .report, .visit, .contractsExport, .reportExport,
             .capacity, .newCapacityRound, .capacityRound, .capacityInstrument, .selfAssessment, .organisationCapacity, .needsMap, .csoPeople, .csoPerson,
             .events, .newEvent, .event, .editEvent, .eventSession, .attendanceSheet, .certificate, .verifyCertificate,
             .questionnaires, .eventTest, .answerCode, .answer, .campaigns, .newCampaign, .campaign, .editCampaign, .newCampaignAction,
             .campaignAction, .articles, .newArticle, .article, .articleVersion, .library, .publication,
             .monitoring, .logframe, .logframeVersion, .newLogframeEntry, .logframeEntry, .newIndicator, .logframeIndicator,
             .indicatorValues, .donorReports, .donorReport, .donorReportExport, .openDataSettings, .backups: false
        }
    }

    static func matches(_ route: Route, _ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == route.path.count else { return false }
        return zip(route.path, parts).allSatisfy { component, part in
            switch component {
            case .constant(let text): text == part
            case .parameter: true
            case .anything, .catchall: true
            }
        }
    }

    @Test("every typed link leads to a registered route")
    func everyLinkHasARoute() async throws {
        try await withFuqizo { app in
            var nowhere: [String] = []
            for url in Self.examples {
                let path = Self.isBase(url) ? url.appending(Self.id) : url.path
                if !app.routes.all.contains(where: { Self.matches($0, path) }) { nowhere.append(path) }
            }
            #expect(nowhere.isEmpty, "links to no route: \(nowhere)")
        }
    }

    /// Forms still write their action paths (with the record's id filled in): each must lead to
    /// a registered route too.
    @Test("every form action written in a template leads to a registered route")
    func everyTemplateLinkHasARoute() async throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/FuqizoServer/Resources/Views")
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        #expect(files.count > 20, "the templates were found")
        let link = try Regex(#"(?:href|action)="(/[^"?]*)"#)
        try await withFuqizo { app in
            var nowhere: [String] = []
            var checked = 0
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in text.matches(of: link) {
                    guard let found = match.output[1].substring else { continue }
                    // A value filled in by the template (`#(row.id)`) stands for any one segment.
                    let path = String(found).replacing(try Regex(#"#\([^)]*\)"#), with: "x")
                    // Static files (styles, scripts, images) are not routes.
                    if path.split(separator: "/").last?.contains(".") == true { continue }
                    checked += 1
                    if !app.routes.all.contains(where: { Self.matches($0, path) }) { nowhere.append("\(file.lastPathComponent): \(found)") }
                }
            }
            #expect(checked > 50, "the form actions were read")
            #expect(nowhere.isEmpty, "template links to no route: \(nowhere)")
        }
    }

    /// A template names its links (`#url("call", content.id)`) instead of writing paths: each
    /// name must make a `SiteURL` from as many values as it is given.
    @Test("templates build their links from SiteURL, and every link they name exists")
    func templatesNameTheirLinks() throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/FuqizoServer/Resources/Views")
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        let written = try Regex(#"href="(/[^"]*)""#)
        let named = try Regex(#"#url\("(\w+)"((?:, [\w."]+)*)\)"#)
        var paths: [String] = [], unknown: [String] = [], links = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: written) {
                let path = String(match.output[1].substring ?? "")
                // Static files (styles, icons) are not pages.
                if !(path.split(separator: "/").last?.contains(".") ?? false) { paths.append("\(file.lastPathComponent): \(path)") }
            }
            for match in text.matches(of: named) {
                links += 1
                let name = String(match.output[1].substring ?? "")
                let count = (match.output[2].substring ?? "").split(separator: ",").count
                // Stand-ins for the values the page fills in: an id, then a stage for the links that take one.
                var values = Array(repeating: Self.id.uuidString, count: count)
                if name == "survivor" { values = ["KU-2026-0001"] }
                if ["ranking", "callGrid"].contains(name), count == 2 { values[1] = "full" }
                if SiteURL(name: name, values: values) == nil { unknown.append("\(file.lastPathComponent): \(name)/\(count)") }
            }
        }
        #expect(links >= 50, "the named links were read")
        #expect(paths.isEmpty, "links written as paths: \(paths)")
        #expect(unknown.isEmpty, "links no SiteURL makes: \(unknown)")
    }

    @Test("a list's link keeps its filters and page, drops empty ones, and encodes what was typed")
    func queries() {
        #expect(SiteURL.survivors.with([("status", "open"), ("code", " "), ("page", "2")]) == "/survivors?status=open&page=2")
        #expect(SiteURL.organisations.with([("q", "Shoqata & Co")]) == "/organisations?q=Shoqata%20%26%20Co")
        #expect(SiteURL.auditTrail.with([("action", nil)]) == "/admin/audit")
    }
}

@Suite("The public website's addresses")
struct PublicSiteTests {
    @Test("every public page has an address in each language that reads back as the same page; anything else is no page")
    func roundTrip() {
        let pages: [PublicSite.Page] = [.home, .feed, .article(slug: "seanca-ne-kukes"), .campaign(slug: "aw-2026-02")]
            + PublicSite.Section.allCases.map(PublicSite.Page.section)
        for page in pages {
            for language in Language.allCases {
                let segments = page.path(language).split(separator: "/").dropFirst().map(String.init)
                #expect(PublicSite.Page(language: language, segments: segments) == page, "\(page.path(language))")
            }
        }
        #expect(PublicSite.Page.section(.results).path(.sq) == "/sq/rezultate" && PublicSite.Page.campaign(slug: "aw-2026-02").path(.en) == "/en/campaigns/aw-2026-02")
        for wrong in [["news"], ["lajme", "Bad Slug"], ["fushata", "aw-2026-02", "extra"], ["rezultate", "x"], ["campaigns"]] {
            #expect(PublicSite.Page(language: .sq, segments: wrong) == nil, "\(wrong)")
        }
    }
}
