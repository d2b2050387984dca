import FuqizoCore
import Vapor

extension CallForm {
    /// The call form's fields, in the order the officer fills them: the call, its money rules,
    /// evaluation, eligibility, deadlines and the rules of its contracts.
    func fields(_ req: Request, errors: FieldErrors) -> [FieldContext] {
        let stageOptions = CallStages.allCases.map { FieldContext.Option(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == stages) }
        return [
            FieldContext("reference", label: "call.field.reference", value: reference, errors: errors, required: true, hint: "call.reference.hint"),
            FieldContext("titleSq", label: "call.field.titleSq", value: titleSq, errors: errors, required: true),
            FieldContext("titleEn", label: "call.field.titleEn", value: titleEn, errors: errors, required: true),
            FieldContext("summarySq", label: "call.field.summarySq", kind: "textarea", value: summarySq, errors: errors),
            FieldContext("summaryEn", label: "call.field.summaryEn", kind: "textarea", value: summaryEn, errors: errors),
            FieldContext("stages", label: "call.field.stages", kind: "select", value: stages, options: stageOptions, errors: errors, required: true),
            FieldContext("currency", label: "field.currency", value: currency, errors: errors, required: true),
            FieldContext("minimumGrant", label: "call.field.minimumGrant", value: minimumGrant, errors: errors, required: true),
            FieldContext("maximumGrant", label: "call.field.maximumGrant", value: maximumGrant, errors: errors, required: true),
            FieldContext("maximumGrantShare", label: "call.field.maximumGrantShare", kind: "number", value: maximumGrantShare, errors: errors, required: true, hint: "call.share.hint"),
            FieldContext("maximumIndirect", label: "call.field.maximumIndirect", kind: "number", value: maximumIndirect, errors: errors, required: true),
            FieldContext("divergence", label: "call.field.divergence", kind: "number", value: divergence, errors: errors, required: true, hint: "call.divergence.hint"),
            FieldContext("blindReview", label: "call.field.blindReview", kind: "checkbox", value: blindReview, errors: errors, hint: "call.blindReview.hint"),
            FieldContext("evaluatorsPerApplication", label: "call.field.evaluatorsPerApplication", kind: "number", value: evaluatorsPerApplication,
                         errors: errors, required: true, hint: "call.evaluatorsPerApplication.hint"),
            FieldContext("letterDays", label: "call.field.letterDays", kind: "number", value: letterDays, errors: errors, required: true,
                         hint: "call.letterDays.hint"),
            FieldContext("evaluationDays", label: "call.field.evaluationDays", kind: "number", value: evaluationDays, errors: errors, required: true,
                         hint: "call.evaluationDays.hint"),
            FieldContext("eligibleApplicants", label: "call.field.eligibleApplicantsSq", kind: "textarea", value: eligibleApplicants, errors: errors, required: true, hint: "call.list.hint"),
            FieldContext("eligibleApplicantsEn", label: "call.field.eligibleApplicantsEn", kind: "textarea", value: eligibleApplicantsEn, errors: errors, required: true, hint: "call.list.hint"),
            FieldContext("eligibleActivities", label: "call.field.eligibleActivitiesSq", kind: "textarea", value: eligibleActivities, errors: errors, required: true, hint: "call.list.hint"),
            FieldContext("eligibleActivitiesEn", label: "call.field.eligibleActivitiesEn", kind: "textarea", value: eligibleActivitiesEn, errors: errors, required: true, hint: "call.list.hint"),
            FieldContext("questionsDate", label: "call.field.questionsDate", kind: "date", value: questionsDate, errors: errors, required: true),
            FieldContext("questionsTime", label: "call.field.time", kind: "time", value: questionsTime, errors: errors),
            FieldContext("conceptDate", label: "call.field.conceptDate", kind: "date", value: conceptDate, errors: errors, hint: "call.concept.hint"),
            FieldContext("conceptTime", label: "call.field.time", kind: "time", value: conceptTime, errors: errors),
            FieldContext("fullDate", label: "call.field.fullDate", kind: "date", value: fullDate, errors: errors, required: true),
            FieldContext("fullTime", label: "call.field.time", kind: "time", value: fullTime, errors: errors),
            FieldContext("preFinancing", label: "call.field.preFinancing", kind: "number", value: preFinancing, errors: errors, required: true,
                         hint: "call.preFinancing.hint"),
            FieldContext("furtherTrancheSpent", label: "call.field.furtherTrancheSpent", kind: "number", value: furtherTrancheSpent, errors: errors,
                         required: true, hint: "call.furtherTrancheSpent.hint"),
            FieldContext("preFinancingCap", label: "call.field.preFinancingCap", kind: "number", value: preFinancingCap, errors: errors, required: true),
            FieldContext("periodMonths", label: "call.field.periodMonths", kind: "number", value: periodMonths, errors: errors, required: true,
                         hint: "call.periodMonths.hint"),
            FieldContext("interimReportDays", label: "call.field.interimReportDays", kind: "number", value: interimReportDays, errors: errors, required: true),
            FieldContext("finalReportDays", label: "call.field.finalReportDays", kind: "number", value: finalReportDays, errors: errors, required: true),
            FieldContext("transferWithoutAmendment", label: "call.field.transferWithoutAmendment", kind: "number", value: transferWithoutAmendment,
                         errors: errors, required: true, hint: "call.transferWithoutAmendment.hint"),
            FieldContext("reminderDaysBefore", label: "call.field.reminderDaysBefore", kind: "number", value: reminderDaysBefore, errors: errors, required: true),
        ]
    }
}
