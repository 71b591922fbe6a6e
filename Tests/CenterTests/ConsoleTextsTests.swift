
import CentreConsole
import CentreWorkflow
import KioskDomain
import Testing

/// Every word of the console in both languages, and the states, outcomes and
/// logged actions the pages name all have one.
@Suite struct ConsoleTextsTests {
    @Test func bothLanguagesHaveTheSameKeys() {
        let chinese = Set(ConsoleTexts.chinese.keys), english = Set(ConsoleTexts.english.keys)
        #expect(chinese.subtracting(english).isEmpty, "only in Chinese: \(chinese.subtracting(english).sorted())")
        #expect(english.subtracting(chinese).isEmpty, "only in English: \(english.subtracting(chinese).sorted())")
    }

    @Test func everyStateOutcomeAndActionIsNamed() {
        let actions = ["accept", "assign", "contact", "refer", "start_service", "close", "duplicate", "visit", "visit_approved",
                       "visit_sent_back"]
        for language in [Language.chinese, .english] {
            let texts = ConsoleTexts.table(language)
            for state in CaseState.allCases { #expect(texts["state_\(state.rawValue)"] != nil) }
            for outcome in CaseOutcome.allCases { #expect(texts["outcome_\(outcome.rawValue)"] != nil) }
            for action in actions { #expect(texts["action_\(action)"] != nil && texts["log_\(action)"] != nil) }
            for level in HardshipLevel.allCases {
                #expect(texts["level_\(level.rawValue)"] != nil && texts["level_short_\(level.rawValue)"] != nil)
            }
            for health in FleetHealth.allCases { #expect(texts["health_\(health.rawValue)"] != nil) }
            #expect(texts["action_referral"] != nil, "a partner's answer on the timeline")
            for state in ReferralState.allCases { #expect(texts["rstate_\(state.rawValue)"] != nil) }
        }
    }
}

extension ConsoleTextsTests {
    @Test func everyWordTheCodeNamesIsInBothTables() {
        for text in ConsoleText.allCases {
            #expect(ConsoleTexts.chinese[text.rawValue] != nil, "no Chinese for \(text.rawValue)")
            #expect(ConsoleTexts.english[text.rawValue] != nil, "no English for \(text.rawValue)")
        }
    }
}
