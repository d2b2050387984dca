import Foundation
@testable import FuqizoCore
import Testing

@Suite("Campaigns: lifecycle, forms, reach totals, work")
struct CampaignRuleTests {
    static let today = LocalDate("2026-12-04")!
    static let tirana = UUID(), kukes = UUID()

    @Test("a campaign starts, completes or is cancelled; a cancelled one takes no change and a completed one cannot restart")
    func lifecycle() {
        #expect(CampaignStatus.planned.after(.start) == .success(.running))
        #expect(CampaignStatus.running.after(.complete) == .success(.completed))
        #expect(CampaignStatus.planned.after(.cancel) == .success(.cancelled))
        #expect(CampaignStatus.running.after(.cancel) == .success(.cancelled))
        #expect(CampaignStatus.completed.allows(.edit), "late reach figures of a completed campaign")
        #expect(CampaignStatus.planned.after(.complete) == .failure(WorkflowRefusal("campaign.error.notNow")))
        #expect(CampaignStatus.completed.after(.start) == .failure(WorkflowRefusal("campaign.error.notNow")))
        #expect(CampaignStatus.completed.after(.cancel) == .failure(WorkflowRefusal("campaign.error.notNow")))
        for event in CampaignEvent.allCases {
            #expect(CampaignStatus.cancelled.after(event) == .failure(WorkflowRefusal("campaign.error.cancelled")))
        }
    }

    static func campaignForm() -> CampaignForm {
        var form = CampaignForm()
        (form.titleSq, form.titleEn) = ("Punë e denjë", "Decent work")
        (form.descriptionSq, form.descriptionEn, form.objectiveSq, form.objectiveEn) = ("Përshkrim", "Description", "Objektiv", "Objective")
        (form.audiences, form.channels, form.regions) = (["youth", "employers"], ["radio"], [tirana.uuidString])
        (form.startsOn, form.endsOn, form.budget, form.partners) = ("2026-11-01", "2027-02-28", "12 500,00", "")
        return form
    }

    @Test("a campaign form gives its typed value, or one message per wrong field, keeping what was typed")
    func campaignForm() throws {
        let campaign = try Self.campaignForm().validated(regions: [Self.tirana, Self.kukes], today: Self.today).get()
        #expect(campaign.budget == Money(minorUnits: 1_250_000, currency: "EUR"))
        #expect(campaign.audiences == [.youth, .employers])
        #expect(campaign.endsOn == LocalDate("2027-02-28"))
        var wrong = Self.campaignForm()
        (wrong.titleEn, wrong.endsOn, wrong.budget) = ("  ", "2026-10-01", "-5")
        wrong.audiences = ["youth", "<script>"]
        wrong.regions = [UUID().uuidString]
        wrong.channels = []
        guard case .failure(let errors) = wrong.validated(regions: [Self.tirana], today: Self.today) else {
            Issue.record("a wrong form passed")
            return
        }
        #expect(errors.messages == ["titleEn": "form.error.required", "endsOn": "campaign.error.period", "budget": "form.error.amount",
                                    "audiences": "form.error.choose", "regions": "form.error.choose", "channels": "form.error.choose"])
        var endless = Self.campaignForm()
        endless.endsOn = "2030-01-01"
        #expect(endless.validated(regions: [Self.tirana], today: Self.today).failureMessages["endsOn"] == "campaign.error.period")
    }

    @Test("an action happens within its campaign's period, in a region offered, with a cost in euros")
    func actionForm() throws {
        var form = CampaignActionForm()
        (form.kind, form.heldOn, form.region, form.descriptionSq, form.descriptionEn, form.cost) =
            ("schoolSession", "2026-11-20", Self.kukes.uuidString, "Seancë", "Session", "300")
        let period = LocalDate("2026-11-01")!...LocalDate("2027-02-28")!
        let action = try form.validated(regions: [Self.tirana, Self.kukes], period: period).get()
        #expect(action.kind.meetsPeople && action.cost == .euros(300) && action.municipality == "")
        form.heldOn = "2027-03-01"
        #expect(form.validated(regions: [Self.kukes], period: period).failureMessages == ["heldOn": "campaign.error.outsidePeriod"])
        (form.heldOn, form.kind, form.cost) = ("2026-11-20", "rally", "99999999999999999999")
        #expect(form.validated(regions: [Self.tirana], period: period).failureMessages ==
                ["kind": "form.error.choose", "region": "form.error.choose", "cost": "form.error.amount"])
    }

    @Test("reach: blank figures are zero, people of unknown age are those met but not counted by band, and no figure passes ten million")
    func reachForm() throws {
        var form = ReachForm()
        (form.female, form.male, form.from18to24, form.from25to34, form.participants) = ("40", "25", "30", "10", "65")
        let reach = try form.validated().get()
        #expect(reach.reachedDirectly == 65)
        #expect(reach.ageBands == [.from18to24: 30, .from25to34: 10, .unknown: 25])
        #expect(ReachForm(reach) == form, "a recorded reach shows as it was typed")
        form.under18 = "40"
        #expect(form.validated().failureMessages == ["under18": "campaign.error.ages"], "80 counted by age among 65 met")
        var huge = ReachForm()
        (huge.impressions, huge.copies, huge.female) = ("10000001", "9223372036854775808", "-1")
        #expect(huge.validated().failureMessages == ["impressions": "campaign.error.figure", "copies": "campaign.error.figure", "female": "campaign.error.figure"])
    }

    @Test("campaign totals add every action's reach and cost, by sex and age band, and per region; actions without reach count as actions only")
    func totals() {
        let met = ActionReach(bySex: [.female: 40, .male: 20], byAge: [.under18: 50], participants: 60)
        let aired = ActionReach(impressions: 120_000)
        let actions = [
            ReachTotals.Action(region: Self.tirana, costMinor: 30_000, reach: met),
            ReachTotals.Action(region: Self.kukes, costMinor: 150_000, reach: aired),
            ReachTotals.Action(region: Self.kukes, costMinor: 10_000, reach: met),
            ReachTotals.Action(region: Self.kukes, costMinor: 5_000, reach: nil),
        ]
        let totals = ReachTotals.of(actions, mentions: 3)
        #expect(totals.actions == 4 && totals.actionsWithReach == 3 && totals.mentions == 3)
        #expect(totals.reachedDirectly == 120 && totals.bySex == [.female: 80, .male: 40])
        #expect(totals.byAge == [.under18: 100, .unknown: 20])
        #expect(totals.impressions == 120_000 && totals.participants == 120 && totals.cost == 195_000)
        let regions = ReachTotals.perRegion(actions)
        #expect(regions[Self.tirana]?.reachedDirectly == 60 && regions[Self.kukes]?.reachedDirectly == 60)
        #expect(regions[Self.kukes]?.actions == 3 && regions[Self.kukes]?.impressions == 120_000)
    }

    @Test("totals of hostile figures saturate instead of stopping the server")
    func totalsSaturate() {
        let most = ActionReach(bySex: [.female: Int.max], impressions: Int.max)
        let totals = ReachTotals.of(Array(repeating: ReachTotals.Action(region: nil, costMinor: .max, reach: most), count: 3), mentions: 0)
        #expect(totals.impressions == .max && totals.cost == .max && totals.reachedDirectly == .max)
    }

    @Test("a mention's link is an http(s) address or nothing; never a script")
    func mentions() throws {
        var form = MentionForm()
        (form.outlet, form.publishedOn, form.kind, form.link) = ("Top Channel", "2026-12-01", "television", "https://example.al/lajm/1")
        #expect(try form.validated(today: Self.today).get().kind == .television)
        form.link = ""
        #expect((try? form.validated(today: Self.today).get()) != nil, "a radio mention may have no link")
        for link in ["javascript:alert(1)", "https://", "ftp://example.al/x", "https://exa mple.al", "data:text/html,x"] {
            form.link = link
            #expect(form.validated(today: Self.today).failureMessages == ["link": "form.error.url"], "\(link)")
        }
        (form.link, form.publishedOn) = ("", "2026-12-05")
        #expect(form.validated(today: Self.today).failureMessages == ["publishedOn": "form.error.date"], "not tomorrow's news")
    }

    @Test("an action past without its reach is work for the communications side, one item per campaign, due a week after the earliest")
    func work() {
        let campaign = UUID()
        let items = CampaignWork.communications([
            .init(campaign: campaign, reference: "AW-2026-01", heldOn: LocalDate("2026-11-20")!),
            .init(campaign: campaign, reference: "AW-2026-01", heldOn: LocalDate("2026-11-10")!),
        ])
        #expect(items.count == 1)
        #expect(items.first?.count == 2 && items.first?.due == LocalDate("2026-11-17") && items.first?.reference == "AW-2026-01")
        #expect(items.first?.link == WorkLink("campaign", campaign.uuidString))
        #expect(CampaignReference.make(year: 2026, number: 3) == "AW-2026-03")
    }
}

extension Result where Failure == FieldErrors {
    /// The messages of a failed validation, or none.
    var failureMessages: [String: String] {
        if case .failure(let errors) = self { return errors.messages }
        return [:]
    }
}

@Suite("Photos: every metadata block removed, the picture kept")
struct ImageMetadataTests {
    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        DocumentKind.contains(bytes, text)
    }

    /// The blocks of a file that carry the picture, in order: JPEG scans, PNG `IDAT`, WebP `VP8`.
    static func pictureBytes(_ bytes: [UInt8], _ kind: ImageKind) -> [UInt8] {
        switch kind {
        case .jpeg:
            // From the start of the scan to the end of the image.
            guard let start = (0..<(bytes.count - 1)).first(where: { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA }) else { return [] }
            return Array(bytes[start...])
        case .png:
            var index = 8, out: [UInt8] = []
            while index + 12 <= bytes.count {
                let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                if String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self) == "IDAT" { out += bytes[index..<(index + 12 + length)] }
                index += 12 + length
            }
            return out
        case .webp:
            guard let start = (12..<(bytes.count - 4)).first(where: { ["VP8 ", "VP8L"].contains(String(decoding: bytes[$0..<($0 + 4)], as: UTF8.self)) })
            else { return [] }
            let size = Int(bytes[start + 4]) | Int(bytes[start + 5]) << 8 | Int(bytes[start + 6]) << 16 | Int(bytes[start + 7]) << 24
            return Array(bytes[start..<min(bytes.count, start + 8 + size)])
        }
    }

    @Test("a phone's photo loses its GPS position, serial number, XMP and comments in each format, and keeps its pixels", arguments: [
        (TaggedPhotos.jpeg, ImageKind.jpeg), (TaggedPhotos.png, .png), (TaggedPhotos.webp, .webp),
    ])
    func stripsEveryBlock(_ photo: [UInt8], _ kind: ImageKind) throws {
        // Every fixture carries an EXIF block with the camera's serial and an XMP packet.
        for secret in ["CAM12345", "adobe:ns:meta"] {
            let carried = Self.contains(photo, secret)
            #expect(carried, "the \(kind) fixture carries \(secret)")
        }
        let (detected, clean) = try #require(ImageMetadata.stripped(photo))
        let smaller = clean.count < photo.count
        #expect(detected == kind && smaller)
        for secret in TaggedPhotos.secrets + ["ICC_PROFILE"] {
            let left = Self.contains(clean, secret)
            #expect(!left, "\(kind) still carries \(secret)")
        }
        let samePicture = Self.pictureBytes(clean, kind) == Self.pictureBytes(photo, kind) && !Self.pictureBytes(clean, kind).isEmpty
        #expect(samePicture, "\(kind): the picture's own bytes are copied untouched")
        let stable = ImageMetadata.stripped(clean)?.bytes == clean
        #expect(stable, "cleaning twice changes nothing")
    }

    @Test("a truncated or forged photo is refused, never half-cleaned, and no length in it can stop the process")
    func refusesMalformed() {
        for photo in [TaggedPhotos.jpeg, TaggedPhotos.png, TaggedPhotos.webp] {
            for cut in [photo.count / 3, photo.count / 2, photo.count - 3] {
                #expect(ImageMetadata.stripped(Array(photo.prefix(cut))) == nil, "cut at \(cut) of \(photo.count)")
            }
        }
        // A PNG whose first chunk claims two gigabytes; a WebP whose RIFF size is larger than the file.
        let png = ImageMetadata.pngSignature + [0x7F, 0xFF, 0xFF, 0xFF] + Array("IHDR".utf8) + [UInt8](repeating: 0, count: 20)
        #expect(ImageMetadata.stripped(png) == nil)
        var webp = TaggedPhotos.webp
        (webp[4], webp[5], webp[6], webp[7]) = (0xFF, 0xFF, 0xFF, 0x7F)
        #expect(ImageMetadata.stripped(webp) == nil)
        #expect(ImageMetadata.stripped(Array("%PDF-1.7".utf8)) == nil && ImageKind.detect(Array("%PDF-1.7".utf8)) == nil)
        // Random bytes behind each signature: refused or cleaned, never a trap.
        var generator = SystemRandomNumberGenerator()
        for signature in [[0xFF, 0xD8, 0xFF], ImageMetadata.pngSignature, Array("RIFF\u{0}\u{1}\u{0}\u{0}WEBP".utf8)] as [[UInt8]] {
            for _ in 0..<300 {
                let noise = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                _ = ImageMetadata.stripped(signature + noise)
            }
        }
    }
}

@Suite("The public website's figures and helplines")
struct PublicFiguresTests {
    @Test("counts of people under the threshold are suppressed region by region, a lone small one with its smallest neighbour; organisations, grants and money are published as they are")
    func results() {
        let rows = 5
        let results = PublicResults(counts: [
            .survivorsSupported: [40, 7, 30, 25, 0],
            .peopleReached: [4, 3, 200, 100, 0],
            .grants: [1, 2, 0, 1, 0],
            .grantAmount: [Int64.max, Int64.max, 0, 0, 0],
        ], rowCount: rows, threshold: 11)
        // One small cell (7): the next smallest non-zero one (25) is withheld so 7 cannot be subtracted from the total.
        #expect(results.rows[.survivorsSupported] == [.cell(.shown(40)), .cell(.suppressed), .cell(.shown(30)), .cell(.withheld), .cell(.shown(0))])
        #expect(results.totals[.survivorsSupported] == .cell(.shown(102)))
        // Two small cells hide each other; nothing more is withheld.
        #expect(results.rows[.peopleReached] == [.cell(.suppressed), .cell(.suppressed), .cell(.shown(200)), .cell(.shown(100)), .cell(.shown(0))])
        #expect(results.rows[.grants] == [.value(1), .value(2), .value(0), .value(1), .value(0)], "grants are never suppressed")
        #expect(results.totals[.grants] == .value(4))
        if case .value(let amount) = results.totals[.grantAmount] { #expect(amount > 0, "huge amounts add up without trapping") } else { Issue.record("no amount") }
        #expect(results.rows[.survivorsInWork] == Array(repeating: .cell(.shown(0)), count: rows), "a measure with no data reads zeros")
        // The threshold never goes under the floor, whatever the settings say.
        #expect(PublicResults(counts: [.peopleTrained: [2, 50]], rowCount: 2, threshold: 1).rows[.peopleTrained]?.first == .cell(.suppressed))
        // A total that is itself small is suppressed too.
        #expect(PublicResults(counts: [.survivorsInClub: [3, 4]], rowCount: 2, threshold: 11).totals[.survivorsInClub] == .cell(.suppressed))
    }

    @Test("helplines read from the settings' lines, refuse what is not a number, and dial as digits")
    func helplines() throws {
        let lines = try #require(Helpline.parse("Linja | Line | 116 117\n\n  Policia|Police|+355 4 222-2222  "))
        #expect(lines == [Helpline(nameSq: "Linja", nameEn: "Line", number: "116 117"), Helpline(nameSq: "Policia", nameEn: "Police", number: "+355 4 222-2222")])
        #expect(lines[1].dialable == "tel:+35542222222")
        for bad in ["Linja | Line", "Linja | Line | call us", " | Line | 112", "Linja | Line | 12", "Linja | Line | 1+2", "A | B | 112 | extra",
                    String(repeating: "A | B | 112\n", count: 9)] {
            #expect(Helpline.parse(bad) == nil, "\(bad) is refused")
        }
        #expect(Helpline.parse("  \n ") == [], "no lines is empty, which the settings form refuses")
        var form = ProgrammeSettingsForm(ProgrammeSettings.defaults)
        form.helplines = ""
        form.contactEmail = "not an address"
        form.contactPhone = "ask at the desk"
        guard case .failure(let errors) = form.validated() else { Issue.record("accepted"); return }
        #expect(errors["helplines"] == "settings.error.helplineRequired" && errors["contactEmail"] == "form.error.email" && errors["contactPhone"] == "settings.error.phone")
    }

    @Test("settings saved before the website's fields read with the national helplines")
    func olderSettings() throws {
        let older = #"{"currency":"EUR","donor":"European Union","endDate":"","implementingOrganisation":"","programmeNameEn":"Fuqizo","programmeNameSq":"Fuqizo","reference":"","retentionMonths":24,"smallCellDonor":5,"smallCellPublic":11,"startDate":""}"#
        let settings = try JSONDecoder().decode(ProgrammeSettings.self, from: Data(older.utf8))
        #expect(settings.publicHelplines == Helpline.defaults && settings.partners == nil && settings.contactEmail == nil)
    }
}
