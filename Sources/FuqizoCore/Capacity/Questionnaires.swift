import Foundation

/// What a participant's personal single-use link is for.
public enum LinkPurpose: String, CaseIterable, Codable, Sendable {
    case preTest, postTest, survey

    public var catalogKey: String { "questionnaire.\(rawValue)" }
    public var isTest: Bool { self != .survey }
}

/// The satisfaction survey: the same five 1–5 items for every event, so events compare, and
/// a free comment.
public enum SurveyItem: String, CaseIterable, Codable, Sendable {
    case relevance, trainers, materials, organisation, usefulness

    public var catalogKey: String { "survey.item.\(rawValue)" }
    public static let maximumComment = 2_000
}

/// A knowledge test as typed by its trainer: rows of a question, its options (blank ones
/// dropped) and the number of the right option.
public struct TestForm: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var text = ""
        public var options: [String] = []
        public var answer = ""

        public init(text: String = "", options: [String] = [], answer: String = "") { (self.text, self.options, self.answer) = (text, options, answer) }

        public init(from decoder: any Decoder) throws {
            let form = try decoder.container(keyedBy: CodingKeys.self)
            text = try form.text(.text)
            options = try form.list(.options)
            answer = try form.text(.answer)
        }
    }

    public var rows: [Row] = []

    public init(rows: [Row] = []) { self.rows = rows }

    public init(_ test: KnowledgeTest) {
        rows = test.questions.map { Row(text: $0.text, options: $0.options, answer: String($0.answer + 1)) }
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        rows = try form.decodeIfPresent([Row].self, forKey: .rows) ?? []
    }

    /// The test, or what is wrong on the `test` field: each question written (up to 1,000
    /// characters), two to six options, the right one among them; one to fifty questions.
    public func validated() -> Result<KnowledgeTest, FieldErrors> {
        var errors = FieldErrors()
        var questions: [KnowledgeTest.Question] = []
        for row in rows.prefix(KnowledgeTest.maximumQuestions + 1) {
            let options = row.options.prefix(7).compactMap(Text.clean)
            let text = Text.clean(row.text)
            if text == nil, options.isEmpty { continue }
            guard let text, text.count <= 1_000, options.allSatisfy({ $0.count <= 300 }), (2...6).contains(options.count),
                  let answer = Bounded.integer(row.answer.trimmingCharacters(in: .whitespaces), in: 1...options.count) else {
                errors.add("test", "test.error.question")
                return .failure(errors)
            }
            questions.append(.init(text: text, options: options, answer: answer - 1))
        }
        let test = KnowledgeTest(questions: questions)
        guard test.isUsable else {
            errors.add("test", "test.error.count")
            return .failure(errors)
        }
        return .success(test)
    }
}

/// A participant's answers as typed: `choice[<n>]` per test question (its option's number),
/// `rating[<item>]` per survey item, and a comment.
public struct AnswerForm: Codable, Sendable, Equatable {
    public var choice: [String: String] = [:]
    public var rating: [String: String] = [:]
    public var comment = ""

    public init(choice: [String: String] = [:], rating: [String: String] = [:], comment: String = "") {
        (self.choice, self.rating, self.comment) = (choice, rating, comment)
    }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        choice = try form.decodeIfPresent([String: String].self, forKey: .choice) ?? [:]
        rating = try form.decodeIfPresent([String: String].self, forKey: .rating) ?? [:]
        comment = try form.text(.comment)
    }

    /// The chosen option of each question (nil: left blank, counted wrong), as indices.
    public func choices(for test: KnowledgeTest) -> [Int?] {
        test.questions.indices.map { index in
            choice[String(index + 1)].flatMap { Bounded.integer($0, in: 1...max(1, test.questions[index].options.count)) }.map { $0 - 1 }
        }
    }

    public struct Survey: Codable, Sendable, Equatable {
        public let ratings: [String: Int]
        public let comment: String?
    }

    /// Every item rated 1–5; a comment of at most 2,000 characters.
    public func survey() -> Result<Survey, FieldErrors> {
        var errors = FieldErrors()
        var ratings: [String: Int] = [:]
        for item in SurveyItem.allCases {
            if let value = rating[item.rawValue].flatMap({ Bounded.integer($0, in: 1...5) }) { ratings[item.rawValue] = value }
            else { errors.add("rating.\(item.rawValue)", "survey.error.rating") }
        }
        let comment = Text.clean(comment)
        if let comment, comment.count > SurveyItem.maximumComment { errors.add("comment", "form.error.tooLong") }
        return errors.isEmpty ? .success(Survey(ratings: ratings, comment: comment)) : .failure(errors)
    }
}
