import Foundation
import FuqizoCore
import Leaf
import Vapor

/// What every page's frame needs: language, title, navigation for this person, the CSRF
/// token for its forms, and a one-time notice.
struct LayoutContext: Encodable {
    struct NavItem: Encodable {
        let href: String
        let labelKey: String
        let current: Bool
        /// What waits there for this person (nil when nothing).
        let count: Int?
    }

    let lang: String
    let otherLang: String
    let otherLangLabelKey: String
    let title: String
    let csrf: String
    let path: String
    let signedIn: Bool
    let nav: [NavItem]
    let flashKey: String?
}

/// A page: the frame and the page's own typed content.
struct Page<Content: Encodable>: Encodable {
    let layout: LayoutContext
    let content: Content
}

extension Request {
    /// Renders `Resources/Views/<template>.leaf` inside the layout. `title` is a catalog key;
    /// titles stay neutral (no names, no codes).
    func page<Content: Encodable>(_ template: String, title: String, _ content: Content) async throws -> View {
        let other: Language = language == .sq ? .en : .sq
        let layout = LayoutContext(
            lang: language.rawValue,
            otherLang: other.rawValue,
            otherLangLabelKey: "language.\(other.rawValue)",
            title: t(title),
            csrf: csrfToken,
            path: url.path,
            signedIn: signedIn != nil,
            nav: Navigation.items(for: self, counts: await navigationCounts()),
            flashKey: (cookies[Flash.cookieName]?.string).flatMap { services.catalog.has($0) ? $0 : nil }
        )
        return try await view.render(template, Page(layout: layout, content: content)).get()
    }

    func page<Content: Encodable>(_ template: String, title: String, _ content: Content, status: HTTPResponseStatus) async throws -> Response {
        let response = try await page(template, title: title, content).encodeResponse(for: self)
        response.status = status
        return response
    }
}

/// The main menu: only what the policy lets this person open.
enum Navigation {
    /// `counts` are the work items per entry (`WorkList.counts`); the home entry shows them all.
    static func items(for request: Request, counts: [String: Int] = [:]) -> [LayoutContext.NavItem] {
        let actor = request.actor
        guard actor.isSignedIn else { return [] }
        var entries: [(String, String, Bool)] = [(SiteURL.home.path, "nav.home", true)]
        entries.append((SiteURL.organisations.path, "nav.organisations", Policy.decide(actor, .viewOrganisationRegistry).isAllowed))
        if !actor.isProgrammeStaff, actor.organisationIDs.count > 0 {
            entries.append((SiteURL.myOrganisations.path, "nav.myOrganisation", true))
        }
        let managesCalls = Policy.decide(actor, .manageCalls).isAllowed
        entries.append((SiteURL.calls.path, "nav.calls", managesCalls))
        entries.append((SiteURL.publicCalls.path, "nav.publicCalls", !managesCalls))
        entries.append((SiteURL.applications.path, "nav.applications", Policy.decide(actor, .applyForGrants).isAllowed))
        entries.append((SiteURL.myGrants.path, "nav.myGrants", Policy.decide(actor, .viewOwnGrants).isAllowed))
        entries.append((SiteURL.contracts.path, "nav.contracts", Policy.decide(actor, .viewContracts).isAllowed))
        entries.append((SiteURL.evaluation.path, "nav.evaluation", Policy.decide(actor, .evaluate).isAllowed))
        entries.append((SiteURL.survivors.path, "nav.survivors", Policy.decide(actor, .viewCaseload).isAllowed))
        entries.append((SiteURL.referrals.path, "nav.referrals", Policy.decide(actor, .viewReferrals).isAllowed))
        entries.append((SiteURL.club.path, "nav.club", Policy.decide(actor, .runClub).isAllowed))
        entries.append((SiteURL.capacity.path, "nav.capacity", Policy.decide(actor, .viewCapacity).isAllowed))
        entries.append((SiteURL.events.path, "nav.events", Policy.decide(actor, .viewEvents).isAllowed))
        entries.append((SiteURL.campaigns.path, "nav.campaigns", Policy.decide(actor, .viewCampaigns).isAllowed))
        entries.append((SiteURL.articles.path, "nav.articles", Policy.decide(actor, .viewCampaigns).isAllowed))
        entries.append((SiteURL.library.path, "nav.library", Policy.decide(actor, .viewCampaigns).isAllowed))
        entries.append((SiteURL.grantFigures.path, "nav.figures", Policy.decide(actor, .viewGrantFigures).isAllowed))
        entries.append((SiteURL.survivorStatistics.path, "nav.survivorStatistics", Policy.decide(actor, .viewSurvivorStatistics).isAllowed))
        entries.append((SiteURL.monitoring.path, "nav.monitoring", Policy.decide(actor, .viewMonitoring).isAllowed))
        let admin = Policy.decide(actor, .manageUsers).isAllowed
        entries += [
            (SiteURL.users.path, "nav.users", admin),
            (SiteURL.regions.path, "nav.regions", Policy.decide(actor, .manageRegions).isAllowed),
            (SiteURL.settings.path, "nav.settings", Policy.decide(actor, .manageSettings).isAllowed),
            (SiteURL.auditTrail.path, "nav.audit", Policy.decide(actor, .viewAuditTrail).isAllowed),
            (SiteURL.outbox.path, "nav.outbox", Policy.decide(actor, .viewMailOutbox).isAllowed),
            (SiteURL.backups.path, "nav.backups", Policy.decide(actor, .viewBackups).isAllowed),
            (SiteURL.account.path, "nav.account", true),
        ]
        let path = request.url.path
        let total = counts.values.reduce(0, +)
        return entries.filter(\.2).map { href, key, _ in
            let current = href == SiteURL.home.path ? path == href : path.hasPrefix(href)
            let count = key == "nav.home" ? total : counts[key] ?? 0
            return LayoutContext.NavItem(href: href, labelKey: key, current: current, count: count > 0 ? count : nil)
        }
    }
}

/// One form field as the generic field template renders it: label, current value, options,
/// and the message of its error in the person's language.
struct FieldContext: Encodable {
    /// A choice, its label already in the person's language (translated here rather than in
    /// the template: long select lists are the slowest part of rendering a page).
    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    /// Choices grouped under headings (`<optgroup>`), such as municipalities by region.
    struct Group: Encodable {
        let label: String
        /// The value of the field this one follows that shows the group (empty: always shown).
        let value: String
        let options: [Option]
    }

    let name: String
    /// What the element ids are made of: the name, unless one page shows the same field in
    /// several forms (each then needs ids of its own).
    let anchor: String
    let labelKey: String
    let kind: String
    let value: String
    let options: [Option]
    let errorKey: String?
    let required: Bool
    let hintKey: String?
    let autocomplete: String?
    let groups: [Group]
    /// The field whose value narrows the groups shown (script only; all show without it).
    let follows: String?
    /// A select among many (organisations): the search box that narrows its choices.
    let search: Search?
    /// The id of the form the control belongs to when it stands outside it (`form=`).
    var form: String?

    /// The search beside a select among many: the box's name, the words typed, and what the
    /// matches were ("50 of 1,857 shown").
    struct Search: Encodable {
        let name: String
        let value: String
        let note: String
        /// Narrowing by programme region and by focus area (`<name>-region`, `<name>-focus`).
        let regions: [Option]
        let focuses: [Option]
    }

    init(_ name: String, label: String, kind: String = "text", value: String = "", options: [Option] = [],
         errors: FieldErrors = FieldErrors(), required: Bool = false, hint: String? = nil, autocomplete: String? = nil,
         anchor: String? = nil, groups: [Group] = [], follows: String? = nil, search: Search? = nil) {
        self.name = name
        self.anchor = anchor ?? name
        self.labelKey = label
        self.kind = kind
        self.value = value
        self.options = options
        self.errorKey = errors[name]
        self.required = required
        self.hintKey = hint
        self.autocomplete = autocomplete
        self.groups = groups
        self.follows = follows
        self.search = search
        self.form = nil
    }

    /// The same field, belonging to the form with this id wherever it stands on the page.
    func belonging(to form: String) -> FieldContext {
        var field = self
        field.form = form
        return field
    }
}
