import Fluent
import Foundation
import FuqizoCore
import Vapor

extension DemoData {
    /// Two awareness campaigns through the module's services: one completed last season with
    /// every action's reach, and one running now with an action whose reach is still to record
    /// (the communications officer's work) and one to come.
    static func loadCampaigns(app: Application) async throws {
        guard let officer = try await User.query(on: app.db).filter(\.$email == "communicationsofficer@demo.fuqizo.invalid").first()?.id else { return }
        let service = CampaignService(database: app.db, services: app.services)
        // Tirana, Kukës, Dibër, Sarandë: the plans below name them by these places.
        let byCode = Dictionary(try await GeographyDirectory.load(on: app.db).regions.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let regions = ["TR", "KU", "DI", "SA"].compactMap { byCode[$0] }
        guard regions.count == 4 else { return }
        let today = service.today
        func day(_ offset: Int) -> String { today.adding(days: offset).description }
        let photos = ResourceLocation.directory(override: app.services.config.resourcesDirectory).appendingPathComponent("Data/demo")

        struct Plan {
            let titleSq, titleEn, descriptionSq, descriptionEn, objectiveSq, objectiveEn: String
            let from, to: Int
            let audiences: [CampaignAudience]
            let channels: [CampaignChannel]
            let budget: String
            let partners: String
            /// Kind, day offset, region index, place, cost, and reach (nil: not recorded).
            let actions: [(CampaignActionKind, Int, Int, String, String, ReachForm?)]
            let mentions: [(String, Int, MediaKind, String)]
            /// A photo of the demo's (`Resources/Data/demo/`): file, the action it shows, alternative texts.
            let photos: [(String, Int, String, String)]
            let events: [CampaignEvent]
        }
        func reach(_ female: Int, _ male: Int, young: Int = 0, adults: Int = 0, participants: Int = 0, impressions: Int = 0, copies: Int = 0) -> ReachForm {
            var form = ReachForm()
            (form.female, form.male) = (female > 0 ? String(female) : "", male > 0 ? String(male) : "")
            (form.from18to24, form.from25to34) = (young > 0 ? String(young) : "", adults > 0 ? String(adults) : "")
            (form.participants, form.impressions, form.copies) = (participants > 0 ? String(participants) : "", impressions > 0 ? String(impressions) : "",
                                                                  copies > 0 ? String(copies) : "")
            return form
        }
        let plans = [
            Plan(titleSq: "Puna e denjë ndryshon jetë (demo)", titleEn: "Decent work changes lives (demo)",
                 descriptionSq: "Fushatë për punëdhënësit dhe publikun mbi punësimin e grave që kanë mbijetuar trafikimin dhe dhunën.",
                 descriptionEn: "A campaign for employers and the public on employing women who survived trafficking and violence.",
                 objectiveSq: "Më shumë punëdhënës në katër rajonet ofrojnë vende pune dhe praktika.",
                 objectiveEn: "More employers in the four regions offer jobs and traineeships.",
                 from: -200, to: -100, audiences: [.employers, .generalPublic], channels: [.events, .radio, .print], budget: "18000",
                 partners: "Dhoma e Tregtisë Tiranë (demo)\nRadio Kukësi (demo)",
                 actions: [
                     (.publicEvent, -190, 0, "Tiranë", "2500", reach(64, 41, young: 20, adults: 55, participants: 105)),
                     (.broadcastSpot, -170, 1, "Kukës", "1800", reach(0, 0, impressions: 42_000)),
                     (.publication, -150, 2, "Peshkopi", "1200", reach(0, 0, copies: 3_000)),
                 ],
                 mentions: [("Gazeta Shqiptare (demo)", -188, .print, ""), ("Top Channel (demo)", -187, .television, "https://example.org/lajme/puna-e-denje")],
                 photos: [("public-event.jpg", 0, "Punëdhënës dhe organizata para një banderole të programit", "Employers and organisations before a programme banner")],
                 events: [.start, .complete]),
            Plan(titleSq: "Shenjat që nuk duhen injoruar (demo)", titleEn: "Signs not to ignore (demo)",
                 descriptionSq: "Seanca në shkolla dhe aksione në rrugë mbi shenjat e trafikimit dhe ku të kërkohet ndihmë.",
                 descriptionEn: "School sessions and street actions on the signs of trafficking and where to find help.",
                 objectiveSq: "Të rinjtë dhe familjet njohin shenjat e trafikimit dhe numrat e ndihmës.",
                 objectiveEn: "Young people and families know the signs of trafficking and the helplines.",
                 from: -45, to: 75, audiences: [.youth, .communities], channels: [.schools, .outdoor, .socialMedia], budget: "12500",
                 partners: "Drejtoria Rajonale e Arsimit Kukës (demo)",
                 actions: [
                     (.schoolSession, -30, 1, "Kukës", "300", reach(88, 71, young: 40, participants: 159)),
                     (.streetAction, -12, 3, "Sarandë", "650", reach(120, 95)),
                     (.socialPost, -6, 0, "", "150", reach(0, 0, impressions: 18_500)),
                     (.schoolSession, -3, 2, "Peshkopi", "300", nil),
                     (.publicEvent, 20, 0, "Tiranë", "2000", nil),
                 ],
                 mentions: [("Kukësi Online (demo)", -29, .online, "https://example.org/kukes/seanca")],
                 photos: [("school-session.jpg", 0, "Nxënës në një seancë ndërgjegjësimi, të parë nga prapa", "Pupils at an awareness session, seen from behind"),
                          ("street-action.jpg", 1, "Vullnetarë me fletëpalosje në shëtitoren e Sarandës", "Volunteers with leaflets on the Saranda promenade")],
                 events: [.start]),
        ]
        for plan in plans {
            var form = CampaignForm()
            (form.titleSq, form.titleEn, form.descriptionSq, form.descriptionEn) = (plan.titleSq, plan.titleEn, plan.descriptionSq, plan.descriptionEn)
            (form.objectiveSq, form.objectiveEn, form.budget, form.partners) = (plan.objectiveSq, plan.objectiveEn, plan.budget, plan.partners)
            (form.audiences, form.channels) = (plan.audiences.map(\.rawValue), plan.channels.map(\.rawValue))
            form.regions = Set(plan.actions.map(\.2)).sorted().map { regions[$0].id.uuidString }
            (form.startsOn, form.endsOn) = (day(plan.from), day(plan.to))
            guard case .success(let campaign) = try await settled({ try await service.create(form, actor: officer) }) else { continue }
            var made: [CampaignAction] = []
            for (kind, offset, region, place, cost, recorded) in plan.actions {
                var action = CampaignActionForm()
                (action.kind, action.heldOn, action.region, action.municipality, action.cost) = (kind.rawValue, day(offset), regions[region].id.uuidString, place, cost)
                action.descriptionSq = "\(place.isEmpty ? "Online" : place): \(plan.titleSq)"
                action.descriptionEn = "\(place.isEmpty ? "Online" : place): \(plan.titleEn)"
                guard case .success(let added) = try await settled({ try await service.addAction(to: campaign, action, actor: officer) }) else { continue }
                made.append(added)
                if let recorded { _ = try await settled({ try await service.recordReach(added, of: campaign, recorded, actor: officer) }) }
            }
            let evidence = EvidenceService(database: app.db, services: app.services)
            for (file, action, altSq, altEn) in plan.photos {
                let bytes = [UInt8](try Data(contentsOf: photos.appendingPathComponent(file)))
                guard case .success(let (checked, clean)) = EvidenceCheck.check(filename: file, bytes: bytes, maximumBytes: bytes.count) else { continue }
                var form = EvidenceForm()
                (form.altSq, form.altEn, form.action) = (altSq, altEn, made.indices.contains(action) ? made[action].id?.uuidString ?? "" : "")
                _ = try await settled({ try await evidence.attach(checked, bytes: clean, form: form, to: campaign, actor: officer) })
            }
            for (outlet, offset, kind, link) in plan.mentions {
                var mention = MentionForm()
                (mention.outlet, mention.publishedOn, mention.kind, mention.link) = (outlet, day(offset), kind.rawValue, link)
                _ = try await settled({ try await service.addMention(to: campaign, mention, actor: officer) })
            }
            for event in plan.events { try await settled({ try await service.move(campaign, event, reason: nil, actor: officer) }) }
        }
    }
}

extension DemoData {
    /// Ten news articles written by the communications officer and published by the programme
    /// manager over the last months (some with a photo of the campaigns), one waiting for
    /// review and one scheduled for next week.
    static func loadArticles(app: Application) async throws {
        guard let writer = try await User.query(on: app.db).filter(\.$email == "communicationsofficer@demo.fuqizo.invalid").first()?.id,
              let reviewer = try await User.query(on: app.db).filter(\.$email == "programmemanager@demo.fuqizo.invalid").first()?.id else { return }
        let service = ArticleService(database: app.db, services: app.services)
        let photos = try await service.images().compactMap { $0.evidence.id?.uuidString }
        let now = app.clock.now()
        let stories: [(String, String, String, String)] = [
            ("Thirrja e dytë për grante është e hapur", "The second call for grants is open",
             "OSHC-të në katër rajonet mund të aplikojnë deri në fund të muajit të ardhshëm.", "CSOs in the four regions may apply until the end of next month."),
            ("Klubi i Kauzës Sociale hap dyert në Sarandë", "The Social Cause Club opens in Sarandë",
             "Takimet e para u mbajtën me dymbëdhjetë pjesëmarrëse.", "The first meetings were held with twelve participants."),
            ("Trajnim për menaxhimin financiar në Kukës", "Financial management training in Kukës",
             "Njëzet e dy punonjës të OSHC-ve përfunduan trajnimin dy-ditor.", "Twenty-two CSO staff completed the two-day training."),
            ("Punëdhënësit e Tiranës takojnë organizatat", "Tirana's employers meet the organisations",
             "Një tryezë e rrumbullakët për praktikat dhe vendet e punës.", "A round table on traineeships and jobs."),
            ("Seanca ndërgjegjësimi në shkollat e Dibrës", "Awareness sessions in Dibër's schools",
             "Nxënësit mësuan shenjat e trafikimit dhe ku të kërkojnë ndihmë.", "Pupils learnt the signs of trafficking and where to find help."),
            ("Vlerësimi i kapaciteteve: rezultatet e para", "Capacity assessment: the first results",
             "Shumica e organizatave kërkojnë mbështetje në mbledhjen e fondeve.", "Most organisations ask for support in fundraising."),
            ("Një vit program: çfarë kemi mësuar", "A year of the programme: what we have learnt",
             "Përmbledhje e arritjeve dhe sfidave të vitit të parë.", "A summary of the first year's achievements and challenges."),
            ("Aksion në shëtitoren e Sarandës", "Street action on the Sarandë promenade",
             "Vullnetarët shpërndanë fletëpalosje me numrat e ndihmës.", "Volunteers handed out leaflets with the helplines."),
            ("Kontratat e para të granteve u nënshkruan", "The first grant contracts are signed",
             "Tetë organizata fillojnë projektet e tyre këtë muaj.", "Eight organisations start their projects this month."),
            ("Udhëzues i ri për ndërmjetësimin e punësimit", "A new guide to job placement",
             "Udhëzuesi është në bibliotekën e programit.", "The guide is in the programme's library."),
            ("Dita e hapur e Klubit në Tiranë", "The Club's open day in Tirana",
             "Të mbijetuarat dhe mentoret ndanë përvojat e tyre.", "Survivors and mentors shared their experience."),
            ("Rrjeti i OSHC-ve të Dibrës takohet", "Dibër's CSO network meets",
             "Takim i planifikuar për javën e ardhshme.", "A meeting planned for next week."),
        ]
        for (index, story) in stories.enumerated() {
            var form = ArticleForm()
            (form.titleSq, form.titleEn, form.summarySq, form.summaryEn) = story
            form.bodySq = "\(story.2)\n\n## Më shumë\n\nProgrami punon me organizatat e shoqërisë civile në **Tiranë, Kukës, Dibër dhe Sarandë**. Lexoni [thirrjet e hapura](/calls)."
            form.bodyEn = "\(story.3)\n\n## More\n\nThe programme works with civil society organisations in **Tirana, Kukës, Dibër and Sarandë**. Read the [open calls](/calls)."
            form.image = index < photos.count * 2 && !photos.isEmpty && index % 2 == 0 ? photos[index / 2 % photos.count] : ""
            guard case .success(let article) = try await settled({ try await service.create(form, actor: writer) }) else { continue }
            try await settled({ try await service.submit(article, actor: writer) })
            // The eleventh waits for its review; the twelfth goes online next week.
            if index == 10 { continue }
            let at = index == 11 ? now.addingTimeInterval(7 * 86_400) : now.addingTimeInterval(-Double(9 - index) * 12 * 86_400 - 3_600)
            try await settled({ try await service.publish(article, at: at, actor: reviewer) })
        }
    }
}

extension DemoData {
    /// The public library: four publications, each a small valid PDF.
    static func loadLibrary(app: Application) async throws {
        guard let officer = try await User.query(on: app.db).filter(\.$email == "communicationsofficer@demo.fuqizo.invalid").first()?.id else { return }
        let service = LibraryService(database: app.db, services: app.services)
        let year = TiranaTime.today(at: app.clock.now()).year
        let publications: [(String, String, String, String, PublicationKind, Int, PublicationLanguage)] = [
            ("Vlerësimi i nevojave të OSHC-ve në katër rajone (demo)", "CSO needs assessment in four regions (demo)",
             "Gjetjet e vlerësimit fillestar të kapaciteteve.", "Findings of the baseline capacity assessment.", .report, year, .both),
            ("Udhëzues për punësimin e të mbijetuarave (demo)", "Guide to employing survivors (demo)",
             "Për punëdhënësit: si të krijohet një vend pune i sigurt.", "For employers: how to make a workplace safe.", .guide, year, .sq),
            ("Njihni shenjat e trafikimit (demo)", "Know the signs of trafficking (demo)",
             "Fletëpalosja e fushatës në shkolla.", "The campaign's leaflet for schools.", .leaflet, year, .both),
            ("Tregu i punës për gratë në Kukës dhe Dibër (demo)", "The labour market for women in Kukës and Dibër (demo)",
             "", "", .study, year - 1, .en),
        ]
        for (index, item) in publications.enumerated() {
            var form = LibraryForm()
            (form.titleSq, form.titleEn, form.descriptionSq, form.descriptionEn) = (item.0, item.1, item.2, item.3)
            (form.kind, form.year, form.language) = (item.4.rawValue, String(item.5), item.6.rawValue)
            let (document, bytes) = CheckedDocument.demoScan(number: "botimi-\(index + 1)", filename: "botimi-\(index + 1).pdf")
            _ = try await service.add(form, document: document, bytes: bytes, actor: officer)
        }
    }
}
