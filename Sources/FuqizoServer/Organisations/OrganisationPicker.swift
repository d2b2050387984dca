import Foundation
import FuqizoCore
import Vapor

/// Choosing one organisation among thousands without a list of thousands: the field carries a
/// search box whose button posts the form back (nothing is saved), and the server answers with
/// at most `shown` matches by name or NUIS. It works without script, keeps what was typed in
/// the rest of the form, and puts nothing of the form in an address.
enum OrganisationPicker {
    static let shown = OrganisationService.pageSize

    /// The button's `intent` value: "search, do not save".
    static let searchIntent = "find"

    /// The name of the search box beside `field`.
    static func queryName(_ field: String) -> String { "find-\(field)" }

    /// What a posted form says about its picker: whether it asked for a search, and the words.
    struct Search: Content {
        var intent: String?
        var words: [String: String]

        var isSearch: Bool { intent == OrganisationPicker.searchIntent }

        func query(_ field: String) -> String { words[OrganisationPicker.queryName(field)] ?? "" }

        /// The region chosen beside the box: nil when none was posted (the default applies),
        /// `.some(nil)` for every region.
        func region(_ field: String) -> UUID?? {
            words[OrganisationPicker.queryName(field) + "-region"].map { UUID(uuidString: $0) }
        }

        func focus(_ field: String) -> FocusArea? {
            words[OrganisationPicker.queryName(field) + "-focus"].flatMap(FocusArea.init(rawValue:))
        }

        init(intent: String? = nil, words: [String: String] = [:]) {
            self.intent = intent
            self.words = words
        }

        init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: AnyKey.self)
            intent = try form.decodeIfPresent(String.self, forKey: AnyKey("intent"))
            var words: [String: String] = [:]
            for key in form.allKeys where key.stringValue.hasPrefix("find-") {
                if let text = try? form.decode(String.self, forKey: key) { words[key.stringValue] = String(text.prefix(100)) }
            }
            self.words = words
        }

        func encode(to encoder: any Encoder) throws {}
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The field: the matches for what was searched (words, a region, a focus), at first the
    /// organisations of `region`; the chosen one always among them, and a hint saying how
    /// many there were.
    static func field(_ req: Request, name: String, label: String, search: Search, selected: String, region: UUID? = nil,
                      onlyActive: Bool = false, excluding: UUID? = nil, errors: FieldErrors, required: Bool = false,
                      hint: String? = nil) async throws -> FieldContext {
        let service = OrganisationService(database: req.db, services: req.services)
        let words = search.query(name).trimmingCharacters(in: .whitespaces)
        let chosenRegion = search.region(name) ?? region
        let focus = search.focus(name)
        let page = try await service.list(.init(query: words.isEmpty ? nil : words, regionID: chosenRegion, focusArea: focus,
                                                status: onlyActive ? .active : nil, page: 1))
        var options = page.items.filter { $0.id != excluding }.map {
            FieldContext.Option(value: $0.id.uuidString, label: "\($0.nameSq) (\($0.registrationNumber))", selected: $0.id.uuidString == selected)
        }
        if let chosen = UUID(uuidString: selected), !options.contains(where: { $0.selected }),
           let organisation = try await service.named([chosen]).first {
            options.insert(.init(value: selected, label: "\(organisation.nameSq) (\(organisation.registrationNumber))", selected: true), at: 0)
        }
        let total = page.pager.total
        let note: String
        if total == 0 {
            note = req.t("picker.none")
        } else if total > page.items.count {
            note = req.t("picker.more", ["shown": Display.count(page.items.count, req.language), "total": Display.count(total, req.language)])
        } else {
            note = req.counted("picker.found", total)
        }
        let geography = try await GeographyDirectory.load(on: req.db)
        let regions = geography.regions.map {
            FieldContext.Option(value: $0.id.uuidString, label: $0.name(req.language), selected: $0.id == chosenRegion)
        }
        let focuses = FocusArea.allCases.map { FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0 == focus) }
        return FieldContext(name, label: label, kind: "select", value: selected, options: options, errors: errors, required: required, hint: hint,
                            search: .init(name: queryName(name), value: words, note: note, regions: regions, focuses: focuses))
    }
}
