import Foundation
import IntakeProtocol
import KioskDomain
import KioskStore
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
        #expect(draft.textMessages == true)
        #expect(draft.street == "nanjing-west" && draft.community == "wuding")
        #expect(draft.consentVersion == shippedConfiguration.texts.consent.version)
        let request = try draft.validate(in: shippedConfiguration.validationContext(now: Date()))
        #expect(request.triage.level == .green && request.applicant.textMessages)
    }

    /// Text messages are asked about after a mobile number, never after a
    /// landline; "no" is kept as no, and Back from the ID number returns past it.
    @Test func textMessagesAreAskedAfterAMobileNumberOnly() throws {
        var flow = FlowDriver()
        flow.toContact()
        flow.type("王小明"); flow.keys(.enter)
        flow.type("13800138000"); flow.keys(.enter)
        #expect(flow.state.step == .field(.textMessages) && flow.screen().contains("我们可以发短信告诉您办理进度吗"))
        flow.keys(.character("2"))
        #expect(flow.state.step == .field(.residentID) && flow.state.draft.textMessages == false)
        flow.keys(.escape)
        #expect(flow.state.step == .field(.textMessages) && flow.state.cursor == 1, "the answer given stays highlighted")
        flow.keys(.escape)
        #expect(flow.state.step == .field(.phone))
        for _ in 0..<11 { flow.keys(.backspace) }
        flow.type("02162481234"); flow.keys(.enter)
        #expect(flow.state.step == .field(.residentID) && flow.state.draft.textMessages == false, "a landline is not asked")
        flow.keys(.escape)
        #expect(flow.state.step == .field(.phone), "and Back skips the question too")
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
        flow.keys(.character("1")) // consent
        flow.type("王小明"); flow.keys(.enter)
        flow.type("13800138000"); flow.keys(.enter, .character("2"), .enter, .character("1"), .character("1"), .enter)
        flow.type("1"); flow.keys(.enter, .enter, .character("1"))
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
        flow.type("00138000"); flow.keys(.enter, .character("1"))
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

    /// The figure the issue set: a whole request in at most 25 keys besides
    /// typed text, every screen with a way back or on (the text-message
    /// question added one of each).
    @Test func aWholeRequestTakesTwentyTwoScreensAndTwentyOneKeys() {
        var flow = FlowDriver()
        flow.toReview()
        flow.keys(.character("1"))
        flow.send(.submitted(ReceiptInfo(submissionID: UUID(), number: ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 1),
                                         token: "K1.x", qr: nil)))
        #expect(flow.screens.filter { $0 != .submitting }.count == 22, "\(flow.screens)")
        #expect(flow.keysPressed == 21)
    }

    /// Bug: "change contact" opened only the name, then review with "send"
    /// highlighted. Now it leads through every contact screen, each showing
    /// its earlier answer, and back to review on "change contact".
    @Test func changingContactOnReviewLeadsThroughEveryFieldAndBackToChangeNotSend() {
        var flow = FlowDriver()
        flow.toReview()
        flow.keys(.character("4"))
        #expect(flow.state.step == .field(.name))
        #expect(flow.state.input == "王小明", "earlier answers are shown again")
        flow.keys(.enter)
        #expect(flow.state.step == .field(.phone) && flow.state.input == "13800138000")
        for _ in 0..<11 { flow.keys(.backspace) }
        flow.type("13912345678"); flow.keys(.enter)
        var seen: [Step] = []
        while flow.state.step != .review, seen.count < 10 {
            seen.append(flow.state.step)
            flow.keys(.enter)
        }
        #expect(seen == [.field(.textMessages), .field(.residentID), .field(.street), .field(.community),
                         .field(.addressDetail), .field(.householdSize), .field(.description)])
        #expect(flow.state.draft.phone == "13912345678")
        #expect(flow.state.draft.street == "nanjing-west" && flow.state.draft.community == "wuding",
                "Enter on a list keeps the earlier choice")
        #expect(flow.state.cursor == ReviewGroup.contact.rawValue, "never \"send\" unasked")
        flow.keys(.enter)
        #expect(flow.state.step == .field(.name), "Enter chose \"change contact\" again, not send")
        #expect(!flow.effects.contains { if case .submit = $0 { true } else { false } })
        flow.keys(.escape)
        #expect(flow.state.step == .review && flow.state.cursor == ReviewGroup.contact.rawValue,
                "Esc on the first screen of a change returns to review")
        flow.keys(.escape)
        #expect(flow.state.step == .field(.description))
    }

    /// Bug: going back to a choice highlighted the first option, so Enter
    /// silently changed the answer.
    @Test func backAndChangeHighlightEarlierAnswers() {
        var flow = FlowDriver()
        flow.keys(.enter, .character("3"), .character("2")) // older people · care at home
        flow.keys(.character("2"), .character("2"))
        #expect(flow.state.step == .question(2))
        flow.keys(.escape)
        #expect(flow.state.step == .question(1) && flow.state.cursor == 1)
        flow.keys(.escape)
        #expect(flow.state.step == .question(0) && flow.state.cursor == 1)
        flow.keys(.escape)
        #expect(flow.state.step == .service && flow.state.cursor == 1)
        flow.keys(.escape)
        #expect(flow.state.step == .programme && flow.state.cursor == 2)
        flow.keys(.enter, .enter, .enter, .enter)
        #expect(flow.state.step == .question(2), "Enter through kept every answer")
        let answers = flow.state.draft.answers.map(\.optionID)
        let questions = shippedConfiguration.assessment.questions
        #expect(answers == [questions[0].options[1].id, questions[1].options[1].id])

        var review = FlowDriver()
        review.toReview()
        review.keys(.character("2"))
        #expect(review.state.step == .programme && review.state.cursor == 2)
        review.keys(.enter)
        #expect(review.state.step == .service && review.state.cursor == 0)
        review.keys(.enter)
        #expect(review.state.step == .review && review.state.cursor == ReviewGroup.service.rawValue)
        review.keys(.character("3"))
        #expect(review.state.step == .question(0) && review.state.cursor == 0)
        for _ in questions { review.keys(.enter) }
        #expect(review.state.step == .review && review.state.cursor == ReviewGroup.answers.rawValue)
    }

    /// Bug: with `--no-printer` the welcome promised a printed receipt and
    /// the receipt screen said staff were told of a print failure.
    @Test func withoutAPrinterNoScreenPromisesPaperOrBlamesIt() {
        var flow = FlowDriver()
        flow.context = FrontContext(config: shippedConfiguration, printsReceipts: false)
        #expect(!flow.screen().contains("打印") && flow.screen().contains("屏幕上会显示"))
        flow.toReview()
        flow.keys(.character("1"))
        flow.effects = []
        flow.send(.submitted(ReceiptInfo(submissionID: UUID(), number: ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 7),
                                         token: "K1.x", qr: sampleQR)))
        #expect(flow.state.printProgress == .noPrinter && flow.effects.isEmpty, "no print job is checked")
        let screen = flow.screen(100, 30)
        #expect(!screen.contains("工作人员已收到通知") && !screen.contains("无法打印"))
        #expect(screen.contains("这台机器不打印回执"))
    }

    /// Consent comes before the contact details and names each of them;
    /// declining loses only the answers so far and shows the hotlines.
    @Test func consentComesBeforeContactAndDecliningShowsTheHotlines() {
        var flow = FlowDriver()
        flow.toConsent()
        #expect(flow.state.step == .consent)
        let consent = flow.screen(100, 30)
        for item in ["姓名", "联系电话", "身份证号码", "街道", "详细地址", "家庭人数"] {
            #expect(consent.contains(item), "consent names \(item)")
        }
        #expect(!shippedConfiguration.texts.consent.text[.chinese].contains("。 "), "no stray space in Chinese")
        flow.keys(.escape)
        #expect(flow.state.step == .question(shippedConfiguration.assessment.questions.count - 1))
        flow.keys(.enter)
        flow.keys(.character("2"))
        #expect(flow.state.step == .declined)
        #expect(flow.state.draft.answers.isEmpty && flow.state.draft.programmeID.isEmpty)
        #expect(flow.effects.last == .wipeScreen)
        let declined = flow.screen(100, 30)
        #expect(declined.contains("周一至周五") && declined.contains("962525") && declined.contains("12345"))
        flow.keys(.enter)
        #expect(flow.state.step == .welcome)
    }

    /// Each contact screen asks its own question and says what it takes
    /// before the resident types; the help line fits a text field.
    @Test func eachContactScreenHasItsOwnTitleAndSaysWhatItTakes() {
        var flow = FlowDriver()
        flow.toContact()
        var titles: [String] = []
        func title(_ screen: String) -> String { screen.split(separator: "\n").dropFirst().first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? "" }
        let answers: [(ContactField, () -> Void)] = [
            (.name, { flow.type("王小明") }), (.phone, { flow.type("13800138000") }), (.textMessages, {}), (.residentID, {}),
            (.street, {}), (.community, {}), (.addressDetail, {}), (.householdSize, { flow.type("3") }),
        ]
        for (field, answer) in answers {
            #expect(flow.state.step == .field(field))
            let screen = flow.screen()
            titles.append(title(screen))
            if !field.isChoice {
                #expect(!screen.contains("数字键"), "no \"number keys choose\" on a text field: \(field)")
                #expect(screen.contains("退格键删除"))
            }
            if field == .householdSize { #expect(screen.contains("填 1 到 20 之间的数字"), "the range before typing") }
            answer()
            flow.keys(.enter)
        }
        #expect(Set(titles).count == titles.count, "every title differs: \(titles)")
        #expect(!titles.contains { $0.contains("怎样联系您") })
        #expect(flow.state.step == .field(.description))
        #expect(flow.screen().contains("已写 0 字，最多 \(TextRule.description.maxCharacters) 字"))
        flow.type("家里老人需要照顾")
        #expect(flow.screen().contains("已写 8 字"))
    }

    /// "Other street / not sure" skips the community and still validates;
    /// Back returns to it with "not sure" highlighted.
    @Test func aResidentUnsureOfTheirStreetCanStillAsk() throws {
        var flow = FlowDriver()
        flow.toContact()
        flow.type("王小明"); flow.keys(.enter)
        flow.type("13800138000"); flow.keys(.enter, .character("2"), .enter)
        let streets = flow.state.optionCount(flow.context)
        #expect(flow.screen().contains("其他街道 / 不确定"))
        flow.keys(.character(Character(String(streets))))
        #expect(flow.state.step == .field(.addressDetail) && flow.state.draft.street.isEmpty)
        flow.keys(.escape)
        #expect(flow.state.step == .field(.street) && flow.state.cursor == streets - 1)
        flow.keys(.enter)
        flow.type("3"); flow.keys(.enter)
        flow.type("3"); flow.keys(.enter, .enter)
        #expect(flow.state.step == .review)
        let request = try flow.state.draft.validate(in: shippedConfiguration.validationContext(now: Date()))
        #expect(request.applicant.street.isEmpty && request.applicant.community.isEmpty)
    }

    /// Door 3: browse what help exists without applying; one key from a
    /// service page starts an application for it.
    @Test func consultingCollectsNothingAndOneKeyApplies() throws {
        var flow = FlowDriver()
        flow.keys(.character("3"))
        #expect(flow.state.step == .consultProgrammes)
        #expect(flow.screen().contains("花样伙伴 — 儿童和青少年"))
        flow.keys(.character("3"))
        let programme = flow.screen(100, 30)
        #expect(programme.contains("身心安康") && programme.contains("行动不便") == false && programme.contains("助餐服务"))
        flow.keys(.character("1"))
        let service = flow.screen(100, 30)
        #expect(service.contains("社区食堂") && service.contains("12345") && service.contains("申请这项帮助"))
        #expect(flow.state.draft.programmeID.isEmpty, "browsing collects nothing")
        flow.keys(.escape)
        #expect(flow.state.step == .consultServices(programme: 2) && flow.state.cursor == 0)
        flow.keys(.enter, .enter)
        #expect(flow.state.step == .question(0))
        #expect(flow.state.draft.programmeID == "elderly-wellbeing" && flow.state.draft.serviceID == "meal-assistance")
        for _ in shippedConfiguration.assessment.questions { flow.keys(.character("1")) }
        flow.keys(.character("1"))
        flow.type("王小明"); flow.keys(.enter)
        flow.type("13800138000"); flow.keys(.enter, .character("2"), .enter, .character("1"), .character("1"), .enter)
        flow.type("1"); flow.keys(.enter, .enter)
        #expect(flow.state.step == .review)
        _ = try flow.state.draft.validate(in: shippedConfiguration.validationContext(now: Date()))
    }

    /// Door 2 by typed number: a typo is caught by the check character and
    /// said plainly; the right number asks for its progress code; with the
    /// code it is looked up and its steps show in words.
    @Test func aTypedReceiptNumberIsCheckedThenItsProgressShown() throws {
        var flow = FlowDriver()
        flow.keys(.character("4"))
        #expect(flow.state.step == .progressEntry)
        let number = ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 7)
        var typo = Array(number.description)
        typo[typo.count - 3] = typo[typo.count - 3] == "7" ? "8" : "7"
        flow.type(String(typo))
        flow.keys(.enter)
        #expect(flow.state.progressProblem == .checkCharacter && flow.effects.isEmpty)
        #expect(flow.screen(100, 30).contains("有一个字符不对"))
        flow.type("X")
        #expect(flow.state.progressProblem == nil, "typing clears the message")
        for _ in 0...typo.count { flow.keys(.backspace) }
        flow.type("ja0301-261130")
        flow.keys(.enter)
        #expect(flow.state.progressProblem == .format && flow.screen(100, 30).contains("JA0301-261130-0042"))
        for _ in 0..<20 { flow.keys(.backspace) }
        flow.type(number.description.lowercased())
        flow.keys(.enter)
        #expect(flow.state.step == .progressCode && flow.effects.isEmpty && flow.screen(100, 30).contains("4 位查询码"))
        flow.type("12a")
        #expect(flow.state.progressProblem == .codeFormat && flow.state.input == "12", "digits only")
        flow.type("34")
        flow.keys(.enter)
        #expect(flow.effects == [.lookUpProgress(number, .code("1234"))])
        flow.send(.progressAnswered(.wrongCode))
        #expect(flow.state.step == .progressCode && flow.screen(100, 30).contains("查询码不对") && flow.state.input.isEmpty)
        flow.type("4321")
        flow.keys(.enter)
        #expect(flow.effects.last == .lookUpProgress(number, .code("4321")))
        flow.send(.progressAnswered(.details(ReceiptProgress(receiptNumber: number, here: .sent(Date()), steps: [
            ProgressChange(id: 1, receiptNumber: number, state: .received, at: Date()),
            ProgressChange(id: 2, receiptNumber: number, state: .closed, at: Date(), outcome: .unreachable),
        ]))))
        #expect(flow.state.step == .progress)
        let screen = flow.screen(100, 30)
        #expect(screen.contains("服务中心已收到") && screen.contains("已办结：多次联系不上您，请拨打 12345 重新联系"))
        flow.keys(.enter)
        #expect(flow.state.step == .welcome && flow.state.progress == nil)

        var waiting = FlowDriver()
        waiting.keys(.character("4"))
        waiting.type(number.description)
        waiting.keys(.enter)
        waiting.type("1234")
        waiting.keys(.enter)
        waiting.send(.progressAnswered(.details(ReceiptProgress(receiptNumber: number, here: .waiting, steps: []))))
        #expect(waiting.screen(100, 30).contains("还没有送到服务中心"))
    }

    /// A number without its code learns only whether it exists; too many
    /// look-ups are held back and the wait is said; a session has a limit of its own.
    @Test func aNumberWithoutItsCodeLearnsOnlyThatItExists() throws {
        let number = ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 7)
        var flow = FlowDriver()
        flow.keys(.character("4"))
        flow.type(number.description)
        flow.keys(.enter, .enter)
        #expect(flow.effects == [.lookUpProgress(number, .none)])
        flow.send(.progressAnswered(.exists(true)))
        let screen = flow.screen(100, 30)
        #expect(flow.state.step == .progress && screen.contains("这个编号的申请存在") && screen.contains(number.description))
        #expect(!screen.contains("服务中心已收到"))
        flow.keys(.enter)
        #expect(flow.state.step == .welcome)

        flow.keys(.character("4"))
        flow.type(number.description)
        flow.keys(.enter)
        flow.type("12")
        flow.effects = []
        flow.keys(.enter)
        #expect(flow.state.progressProblem == .codeFormat && flow.effects.isEmpty, "two digits are not a code")
        flow.type("34")
        flow.keys(.enter)
        flow.send(.progressAnswered(.tooMany(seconds: 42)))
        #expect(flow.screen(100, 30).contains("请 42 秒后再试"))
        // Escape goes back to the number as typed.
        flow.keys(.escape)
        #expect(flow.state.step == .progressEntry && flow.state.input == number.description)
        for _ in 0..<FrontState.lookUpsPerSession {
            flow.keys(.enter)
            flow.type("0000")
            flow.keys(.enter)
            flow.send(.progressAnswered(.wrongCode))
            flow.keys(.escape)
        }
        flow.keys(.enter)
        flow.type("0000")
        flow.effects = []
        flow.keys(.enter)
        #expect(flow.effects.isEmpty && flow.state.progressProblem == .sessionLimit)
        #expect(flow.screen(100, 30).contains("这次已经查询了多次"))
    }

    /// A scanned code opens progress from inside a request, which waits
    /// untouched; a code this kiosk did not sign is said to be another's.
    @Test func aScannedCodeOpensProgressAndTheRequestWaits() {
        var flow = FlowDriver()
        flow.keys(.enter, .character("3"), .character("2"))
        #expect(flow.state.step == .question(0))
        let number = ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 7)
        flow.send(.scanned(number))
        #expect(flow.state.step == .progressEntry && flow.effects.last == .lookUpProgress(number, .scanned))
        flow.send(.progressAnswered(.details(ReceiptProgress(receiptNumber: number, here: .unknown, steps: []))))
        #expect(flow.screen(100, 30).contains("这台机器上找不到这个编号"))
        flow.keys(.character("x"))
        #expect(flow.state.step == .question(0) && flow.state.draft.serviceID == "home-care", "back to the request")
        flow.send(.scanned(nil))
        #expect(flow.state.progressProblem == .notThisKiosk && flow.screen(100, 30).contains("不是这台机器打印的"))
        flow.keys(.escape)
        #expect(flow.state.step == .welcome)
    }

    @Test func theScannerTypesATokenAndEnterAndNothingElseIsHeld() {
        let token = "K1.JA0301-261130-0007-X.T4M2KW.qL3bW0c1xYp9RZk2"
        var scanner = ScanDetector(urlPrefix: "")
        let typed = (token + "\r").map { $0 == "\r" ? InputEvent.enter : .character($0) }
        #expect(scanner.feed(typed) == [.scanned(token)] && !scanner.hasPending)
        // A person's keys pass: digits at once, a K held only until the next key shows it is no token.
        #expect(scanner.feed([.character("1"), .character("2")]) == [.character("1"), .character("2")])
        #expect(scanner.feed([.character("K")]).isEmpty && scanner.hasPending)
        #expect(scanner.feed([.character("a")]) == [.character("K"), .character("a")])
        #expect(scanner.feed([.character("K"), .character("1")]).isEmpty)
        #expect(scanner.flushPending() == [.character("K"), .character("1")], "a pause lets held keys through")
        #expect(scanner.feed([.character("K"), .enter]) == [.character("K"), .enter])
        var prefixed = ScanDetector(urlPrefix: "https://jingan.example.gov.cn/r/")
        let url = "https://jingan.example.gov.cn/r/" + token
        #expect(prefixed.feed((url + "\r").map { $0 == "\r" ? InputEvent.enter : .character($0) }) == [.scanned(url)])
    }

    /// The district's assistance line leads the emergency screen, numbers aligned;
    /// the English header uses the short centre name instead of a cut one.
    @Test func theEmergencyScreenListsTheAssistanceLineFirstAligned() {
        var flow = FlowDriver()
        flow.keys(.enter, .character("3"), .character("1"), .character("4"))
        let lines = flow.screen().split(separator: "\n").map(String.init)
        var labelColumns: [Int] = []
        var order: [String] = []
        for hotline in shippedConfiguration.hotlines {
            let label = hotline.label[.chinese]
            guard let line = lines.first(where: { $0.contains(label) }), let at = line.range(of: label) else {
                Issue.record("\(label) not on the screen")
                continue
            }
            labelColumns.append(CharacterWidth.of(String(line[..<at.lowerBound])))
            order.append(hotline.number)
        }
        let rows = shippedConfiguration.hotlines.compactMap { hotline in lines.firstIndex { $0.contains(hotline.label[.chinese]) } }
        #expect(rows == rows.sorted() && shippedConfiguration.hotlines.first?.number == "12345", "assistance line first")
        #expect(Set(labelColumns).count == 1, "labels start in one column: \(labelColumns)")
        flow.send(.tap(.toggleLanguage))
        #expect(flow.screen().split(separator: "\n").first?.contains("Nanjing West Road Community Centre") == true)
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

/// The kiosk's allowance of typed look-ups holds across sessions, says how long to wait, and refills.
@Suite struct LookUpAllowanceTests {
    @Test func tenAMinuteThenTheWaitIsSaid() {
        var allowance = LookUpAllowance()
        let start = ContinuousClock.now
        for second in 0..<LookUpAllowance.perMinute {
            #expect(allowance.take(now: start + .seconds(second)) == nil)
        }
        #expect(allowance.take(now: start + .seconds(15)) == 45, "the oldest look-up frees a place after a minute")
        #expect(allowance.take(now: start + .seconds(60)) == nil)
        #expect(allowance.take(now: start + .milliseconds(60_500)) == 1)
    }
}
