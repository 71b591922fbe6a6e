import Foundation
import KioskDomain
import Testing
@testable import KioskFront

@Suite struct FlowTests {
    @Test func aWholeRequestReachesSubmitWithEveryAnswer() throws {
        var flow = FlowDriver()
        flow.toReview()
        #expect(flow.state.step == .review)
        flow.keys(.character("1"))
        #expect(flow.state.step == .submitting)
        guard case let .submit(draft)? = flow.effects.last else {
            Issue.record("no submit effect")
            return
        }
        #expect(draft.programmeID == "elderly-wellbeing" && draft.serviceID == "meal-assistance")
        #expect(draft.answers.count == shippedConfiguration.assessment.questions.count)
        #expect(draft.name == "王小明" && draft.phone == "13800138000" && draft.householdSize == 2)
        #expect(draft.street == "nanjing-west" && draft.community == "wuding")
        #expect(draft.consentVersion == shippedConfiguration.texts.consent.version)
        let request = try draft.validate(in: shippedConfiguration.validationContext(now: Date()))
        #expect(request.triage.level == .green)
    }

    @Test func anEmergencyAnswerShowsTheHotlinesAtOnceAndMakesTheRequestRed() throws {
        var flow = FlowDriver()
        flow.keys(.enter, .character("3"), .character("1"))
        flow.keys(.character("4")) // food: no food today
        #expect(flow.state.showingEmergency)
        #expect(flow.screen().contains("110") && flow.screen().contains("962525"))
        flow.keys(.enter)
        #expect(flow.state.step == .question(1))
        for _ in 1..<shippedConfiguration.assessment.questions.count { flow.keys(.character("1")) }
        flow.type("王小明"); flow.keys(.enter)
        flow.type("13800138000"); flow.keys(.enter, .enter, .character("1"), .character("1"), .enter)
        flow.type("1"); flow.keys(.enter, .enter, .character("1"), .character("1"))
        guard case let .submit(draft)? = flow.effects.last else {
            Issue.record("no submit effect")
            return
        }
        #expect(try draft.validate(in: shippedConfiguration.validationContext(now: Date())).triage.level == .red)
    }

    /// The emergency screen says "[Esc Back]": Esc (or Backspace, or a tap
    /// on Back) returns to the question with the answer highlighted, so the
    /// resident can change it; it never moves on.
    @Test func escOnTheEmergencyScreenGoesBackToItsQuestion() throws {
        for back in [FrontEvent.input(.escape), .input(.backspace), .tap(.back)] {
            var flow = FlowDriver()
            flow.keys(.enter, .character("3"), .character("1"))
            flow.keys(.character("4")) // food: no food today
            #expect(flow.state.showingEmergency)
            flow.send(back)
            #expect(!flow.state.showingEmergency && flow.state.step == .question(0), "\(back)")
            #expect(flow.state.cursor == 3, "the emergency answer is highlighted: \(back)")
            flow.keys(.character("1")) // changed: enough food
            #expect(flow.state.step == .question(1) && !flow.state.showingEmergency)
            let draft = flow.state.draft
            #expect(draft.answers.first { $0.questionID == "food" }?.optionID != "none-today")
        }
    }

    @Test func badInputGetsAMessageUnderTheFieldAndNoProgress() {
        var flow = FlowDriver()
        flow.toContact()
        flow.keys(.enter)
        #expect(flow.state.step == .field(.name))
        #expect(flow.screen().contains("请填写这一项"))
        flow.type("王小明"); flow.keys(.enter)
        flow.type("138OO")
        #expect(flow.state.input == "138", "letters never enter a phone number")
        #expect(flow.screen().contains("请输入 11 位手机号"))
        flow.keys(.enter)
        #expect(flow.state.step == .field(.phone))
        flow.send(.tap(.toggleLanguage))
        #expect(flow.screen().contains("Enter an 11-digit mobile number"))
        flow.type("00138000"); flow.keys(.enter)
        flow.type("110105194912310021"); flow.keys(.enter)
        #expect(flow.state.step == .field(.residentID))
        #expect(flow.screen().contains("This ID number has a mistake"))
    }

    @Test func pastedControlSequencesNeverReachTheField() {
        var flow = FlowDriver()
        flow.toContact()
        var decoder = InputDecoder()
        for event in decoder.feed(Array("\u{1B}[200~王\u{1B}[2J\u{07}小\n明\u{1B}[201~".utf8)) {
            flow.send(.input(event))
        }
        #expect(flow.state.input == "王[2J小 明")
        #expect(!flow.screen().contains("\u{1B}"))
    }

    @Test func hugePastesAreCutToTheFieldLimit() {
        var flow = FlowDriver()
        flow.toContact()
        flow.send(.input(.paste(String(repeating: "长", count: 10_000))))
        #expect(flow.state.input.count == TextRule.name.maxCharacters)
    }

    @Test func escGoesBackAndReviewCanChangeAnyPart() {
        var flow = FlowDriver()
        flow.toReview()
        flow.keys(.character("4"))
        #expect(flow.state.step == .field(.name))
        #expect(flow.state.input == "王小明", "earlier answers are shown again")
        flow.keys(.backspace, .backspace, .backspace)
        flow.type("李四"); flow.keys(.enter)
        #expect(flow.state.step == .review)
        #expect(flow.state.draft.name == "李四")
        flow.keys(.escape)
        #expect(flow.state.step == .consent)
    }

    @Test func decliningConsentWipesTheRequestAndShowsTheCentre() {
        var flow = FlowDriver()
        flow.toContact()
        flow.type("王小明"); flow.keys(.enter)
        flow.type("13800138000"); flow.keys(.enter, .enter, .character("1"), .character("1"), .enter)
        flow.type("2"); flow.keys(.enter, .enter)
        #expect(flow.state.step == .consent)
        flow.keys(.character("2"))
        #expect(flow.state.step == .declined)
        #expect(flow.state.draft.name.isEmpty && flow.state.draft.phone.isEmpty)
        #expect(flow.effects.last == .wipeScreen)
        #expect(flow.screen().contains("周一至周五"))
        flow.keys(.enter)
        #expect(flow.state.step == .welcome)
    }

    @Test func idleSessionsCountDownThenAreWiped() {
        var flow = FlowDriver()
        flow.toContact()
        flow.type("王小明")
        let session = shippedConfiguration.session
        flow.wait(session.idleTimeout - session.countdown - .seconds(1))
        #expect(!flow.screen().contains("秒后将清除"))
        flow.wait(.seconds(2))
        #expect(flow.screen().contains("14 秒后将清除本次填写"))
        flow.wait(session.countdown)
        #expect(flow.state.step == .welcome)
        #expect(flow.state.input.isEmpty && flow.state.draft.name.isEmpty)
        #expect(flow.effects.last == .wipeScreen)
    }

    @Test func theLoopSleepsUntilTheNextDeadlineOnly() {
        var flow = FlowDriver()
        #expect(flow.state.nextDeadline(flow.context) == nil, "welcome waits for a key, no timer")
        flow.keys(.enter)
        let session = shippedConfiguration.session
        #expect(flow.state.nextDeadline(flow.context) == flow.now + session.idleTimeout - session.countdown)
    }

    @Test func theReceiptScreenReturnsToWelcomeOnAKeyOrAfterItsTime() {
        var flow = FlowDriver()
        flow.toReview()
        flow.keys(.character("1"))
        let info = ReceiptInfo(submissionID: UUID(), number: ReceiptNumber(kioskCode: "JA0301", day: "261129", sequence: 42),
                               token: "t", qr: sampleQR)
        flow.send(.submitted(info))
        #expect(flow.state.step == .receipt)
        #expect(flow.screen().contains("JA0301-261129-0042-"))
        flow.send(.printProgress(.failed))
        #expect(flow.screen().contains("回执暂时无法打印"))
        flow.wait(shippedConfiguration.session.receiptScreen)
        #expect(flow.state.step == .welcome)
        #expect(flow.state.receipt == nil)
    }

    @Test func tapsActOnTheRegionUnderThem() {
        var flow = FlowDriver()
        let frame = flow.state.view(columns: 80, rows: 24, context: flow.context)
        let startRow = frame.targets.first { $0.action == .choose(0) }!.row
        #expect(frame.action(atColumn: 10, row: startRow) == .choose(0))
        #expect(frame.action(atColumn: 75, row: 0) == .toggleLanguage)
        flow.send(.tap(frame.action(atColumn: 75, row: 0)!))
        #expect(flow.screen().contains("Ask for help"))
    }
}
