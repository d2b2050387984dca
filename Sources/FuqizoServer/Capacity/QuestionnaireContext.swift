import Foundation
import FuqizoCore
import Vapor

/// The tests and survey of an event as people read them: the trainer's results page, the test
/// editor, the printed slips, and the participant's questionnaire.
enum QuestionnaireContext {
    struct Figure: Encodable {
        let label: String
        let value: String
    }

    struct Purpose: Encodable {
        let purpose: String
        let label: String
        let issued: String
        let editHref: String?
        let ready: Bool
    }

    struct Summary: Encodable {
        let eventID: String
        let reference: String
        let title: String
        let purposes: [Purpose]
        let tests: [Figure]
        let survey: [Figure]
        let comments: [String]
    }

    static func mean(_ values: [Int]) -> Int? {
        values.isEmpty ? nil : (values.reduce(0, +) * 2 + values.count) / (values.count * 2)
    }

    static func tenths(_ value: Int, _ language: Language) -> String {
        let sign = value < 0 ? "−" : ""
        return "\(sign)\(abs(value) / 10)\(language == .sq ? "," : ".")\(abs(value) % 10)"
    }

    static func summary(_ req: Request, _ event: CapacityEvent, _ summary: QuestionnaireService.Summary, tests: [LinkPurpose: Bool]) throws -> Summary {
        let language = req.language
        let id = try event.requireID()
        let gain = TestGain.tenths(pre: summary.pre, post: summary.post)
        return Summary(
            eventID: id.uuidString, reference: event.reference, title: event.title(language),
            purposes: LinkPurpose.allCases.map { purpose in
                Purpose(purpose: purpose.rawValue, label: req.t(purpose.catalogKey),
                        issued: req.t("questionnaire.issued", ["count": Display.count(summary.issued[purpose] ?? 0, language)]),
                        editHref: purpose.isTest ? SiteURL.eventTest(event: id, phase: purpose).path : nil,
                        ready: !purpose.isTest || tests[purpose] == true)
            },
            tests: [
                Figure(label: req.t("questionnaire.preMean"), value: mean(Array(summary.pre.values)).map { "\($0) % (\(summary.pre.count))" } ?? "—"),
                Figure(label: req.t("questionnaire.postMean"), value: mean(Array(summary.post.values)).map { "\($0) % (\(summary.post.count))" } ?? "—"),
                Figure(label: req.t("questionnaire.gain"), value: gain.map { req.t("questionnaire.points", ["points": tenths($0, language)]) } ?? "—"),
            ],
            survey: SurveyItem.allCases.map { item in
                Figure(label: req.t(item.catalogKey),
                       value: Satisfaction.meanTenths(summary.surveys.compactMap { $0.ratings[item.rawValue] }).map { tenths($0, language) + " / 5" } ?? "—")
            } + [Figure(label: req.t("questionnaire.surveyCount"), value: Display.count(summary.surveys.count, language))],
            comments: summary.surveys.compactMap(\.comment))
    }

    struct OptionRow: Encodable {
        let number: Int
        let text: String
    }

    struct QuestionRow: Encodable {
        let index: Int
        let number: Int
        let text: String
        let options: [OptionRow]
        let answer: String
    }

    struct TestPage: Encodable {
        let title: String
        let action: String
        let back: String
        let rows: [QuestionRow]
        let errorKey: String?
        let hasErrors: Bool
    }

    /// Every question typed and two blank ones, each with six option boxes.
    static func testForm(_ req: Request, _ event: CapacityEvent, phase: LinkPurpose, form: TestForm, errors: FieldErrors) throws -> TestPage {
        let id = try event.requireID()
        let rows = form.rows + [TestForm.Row(), TestForm.Row()]
        return TestPage(
            title: event.title(req.language), action: SiteURL.eventTest(event: id, phase: phase).path, back: SiteURL.questionnaires(id).path,
            rows: rows.prefix(KnowledgeTest.maximumQuestions).enumerated().map { index, row in
                QuestionRow(index: index, number: index + 1, text: row.text,
                            options: (0..<6).map { OptionRow(number: $0 + 1, text: row.options.indices.contains($0) ? row.options[$0] : "") },
                            answer: row.answer)
            },
            errorKey: errors["test"], hasErrors: !errors.isEmpty)
    }

    struct Slips: Encodable {
        let eventID: String
        let title: String
        let reference: String
        let purpose: String
        let address: String
        let slips: [QuestionnaireService.Slip]
    }

    struct CodePage: Encodable {
        let code: String
        let invalid: Bool
    }

    struct Choice: Encodable {
        let value: Int
        let text: String
        let checked: Bool
    }

    struct Item: Encodable {
        let name: String
        let anchor: String
        let text: String
        let choices: [Choice]
        let errorKey: String?
    }

    struct AnswerPage: Encodable {
        let action: String
        let title: String
        let purpose: String
        let isTest: Bool
        let items: [Item]
        let comment: String
        let commentErrorKey: String?
        let hasErrors: Bool
    }

    static func answer(_ req: Request, _ link: ParticipantLink, test: KnowledgeTest?, code: String, form: AnswerForm, errors: FieldErrors) -> AnswerPage {
        let items: [Item]
        if let test {
            items = test.questions.enumerated().map { index, question in
                Item(name: "choice[\(index + 1)]", anchor: "q\(index + 1)", text: question.text,
                     choices: question.options.enumerated().map { option, text in
                         Choice(value: option + 1, text: text, checked: form.choice[String(index + 1)] == String(option + 1))
                     }, errorKey: nil)
            }
        } else {
            items = SurveyItem.allCases.map { item in
                Item(name: "rating[\(item.rawValue)]", anchor: item.rawValue, text: req.t(item.catalogKey),
                     choices: (1...5).map { Choice(value: $0, text: req.t("survey.scale.\($0)"), checked: form.rating[item.rawValue] == String($0)) },
                     errorKey: errors["rating.\(item.rawValue)"])
            }
        }
        return AnswerPage(action: SiteURL.answer(code: code).path, title: link.event.title(req.language), purpose: req.t(link.purpose.catalogKey),
                          isTest: link.purpose.isTest, items: items, comment: form.comment, commentErrorKey: errors["comment"], hasErrors: !errors.isEmpty)
    }
}
