import IntakeProtocol
import Foundation
import KioskConfig
import KioskFront
import KioskDomain
import KioskStore
import Receipts
import TestSupport
import Testing

/// Reads the half-block QR on a captured screen back into modules and has
/// zbar read them.
func decodeQR(fromScreen screen: String) throws -> String? {
    // One entry per terminal column (a wide character fills two), padded:
    // capture-pane drops trailing spaces, which are dark modules at the right edge.
    let raw = screen.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.flatMap { Array(repeating: $0, count: max(1, CharacterWidth.of($0))) }
    }
    let longest = raw.map(\.count).max() ?? 0
    let lines = raw.map { $0 + Array(repeating: " ", count: longest - $0.count) }
    let blocks: Set<Character> = ["█", "▀", "▄"]
    // The QR's first row is the quiet zone: a long run of full blocks.
    guard let top = lines.firstIndex(where: { String($0).contains(String(repeating: "█", count: 25)) }) else { return nil }
    let start = lines[top].firstIndex(of: "█")!
    var width = 0
    while start + width < lines[top].count, lines[top][start + width] == "█" { width += 1 }
    var rows: [[Character]] = []
    for line in lines[top...] {
        guard line.count >= start + width else { break }
        let slice = Array(line[start..<(start + width)])
        guard slice.contains(where: blocks.contains) else { break }
        rows.append(slice)
    }
    // Each character holds two module rows: its upper and lower half, light where drawn.
    let modules = rows.flatMap { row in
        [row.map { $0 != "█" && $0 != "▀" }, row.map { $0 != "█" && $0 != "▄" }]
    }
    return try readQR(modules: modules)
}

/// From welcome to the name field: older people · meals, calm answers, consent given.
func reachTheName(_ front: TmuxFront) throws {
    try front.waitFor("社区救助自助申请")
    try front.keys("Enter", "3", "1")
    for _ in shippedConfiguration.assessment.questions { try front.keys("1") }
    try front.waitFor("同意并继续")
    try front.keys("1")
    try front.waitFor("请问您怎么称呼")
}

/// On to review with a short request: 欧阳明华, 13912345678, no ID, 武定, two people, no story.
func reachTheReview(_ front: TmuxFront) throws {
    try reachTheName(front)
    try front.type("欧阳明华")
    try front.keys("Enter")
    try front.waitFor("我们打哪个电话联系您")
    try front.type("13912345678")
    try front.keys("Enter")
    try front.waitFor("我们可以发短信告诉您办理进度吗")
    try front.keys("1", "Enter", "1", "2", "Enter")
    try front.waitFor("您家里一共几口人")
    try front.type("2")
    try front.keys("Enter", "Enter")
    try front.waitFor("请核对您的申请")
}

@Suite struct TerminalEndToEndTests {
    /// The resident's whole flow in Chinese, to the receipt on screen.
    @Test func aChineseFlowReachesTheReceiptAndIsStoredExactly() throws {
        let front = try TmuxFront()
        try front.waitFor("社区救助自助申请")
        try front.keys("Enter")
        try front.waitFor("需要帮助的是谁")
        try front.keys("3")
        try front.waitFor("助餐服务")
        try front.keys("1")
        for number in 1...shippedConfiguration.assessment.questions.count {
            try front.waitFor("\(number)/\(shippedConfiguration.assessment.questions.count)")
            try front.keys(number == 1 ? "2" : "1")
        }
        try front.waitFor("同意并继续")
        try front.keys("1")
        try front.waitFor("请问您怎么称呼")
        try front.type("欧阳明华")
        try front.keys("Enter")
        try front.waitFor("我们打哪个电话联系您")
        try front.type("13912345678")
        try front.keys("Enter")
        try front.waitFor("我们可以发短信告诉您办理进度吗")
        try front.keys("1")
        try front.waitFor("您的身份证号码")
        try front.type("11010519491231002X")
        try front.keys("Enter")
        try front.waitFor("您住在哪个街道")
        try front.keys("1")
        try front.waitFor("武定居民区")
        try front.keys("2")
        try front.waitFor("您的详细地址")
        try front.type("武定路 1 弄 2 号")
        try front.keys("Enter")
        try front.waitFor("填 1 到 20 之间的数字")
        try front.type("3")
        try front.keys("Enter")
        try front.waitFor("还有什么想告诉我们的吗")
        try front.type("腿脚不便")
        try front.keys("Enter")
        try front.waitFor("请核对您的申请")
        try front.keys("1")
        let screen = try front.waitFor("已收到您的申请")

        let store = try front.openStore()
        #expect(try store.queueSummary()[.queued] == 1)
        let record = try #require(try store.records(in: .queued).first)
        let submission = try front.openedSubmission(record)
        let request = submission.request
        #expect(request.language == .chinese)
        #expect(request.programmeID == "elderly-wellbeing" && request.serviceID == "meal-assistance")
        #expect(request.applicant.name == "欧阳明华" && request.applicant.phone.digits == "13912345678")
        #expect(request.applicant.textMessages, "yes to text messages is kept with the request")
        #expect(request.applicant.residentID?.value == "11010519491231002X")
        #expect(request.applicant.street == "nanjing-west" && request.applicant.community == "wuding")
        #expect(request.applicant.addressDetail == "武定路 1 弄 2 号" && request.applicant.householdSize == 3)
        #expect(request.description == "腿脚不便")
        #expect(request.answers.first?.optionID == "worried")
        #expect(screen.contains(submission.receiptNumber.description))

        let token = ReceiptToken(receiptNumber: submission.receiptNumber, issuedAt: submission.createdAt,
                                 key: try front.receiptKey())
        // The receipt's text can show before its QR code is drawn to the end: wait for the code itself.
        try front.waitUntil("a QR code holding \(token.description)") { (try? decodeQR(fromScreen: $0)) == token.description }

        // A key returns to welcome, and nothing of the session stays on screen.
        try front.keys("Enter")
        let welcome = try front.waitFor("开始申请")
        #expect(!welcome.contains("欧阳明华") && !welcome.contains(submission.receiptNumber.description))
    }

    @Test func anEnglishFlowIsOneKeyAway() throws {
        let front = try TmuxFront(columns: 120, rows: 40)
        try front.waitFor("社区救助自助申请")
        try front.keys("F2")
        try front.waitFor("Ask for help")
        try front.keys("1")
        try front.waitFor("Who needs help?")
        try front.keys("1")
        try front.waitFor("Homework tutoring")
        try front.keys("1")
        for _ in shippedConfiguration.assessment.questions {
            try front.waitFor("A few short questions")
            try front.keys("1")
        }
        try front.waitFor("I agree")
        try front.keys("Enter")
        try front.waitFor("What is your name?")
        try front.type("Anna Li")
        try front.keys("Enter")
        try front.waitFor("Which number should we call you on?")
        try front.type("021-62481234")
        try front.keys("Enter", "Enter")
        try front.waitFor("Which street area do you live in?")
        try front.keys("3")
        try front.waitFor("Changshou Community")
        try front.keys("2", "Enter")
        try front.waitFor("How many people live in your home?")
        try front.type("4")
        try front.keys("Enter", "Enter")
        try front.waitFor("Please check your request")
        try front.keys("Enter")
        let screen = try front.waitFor("Your request has been received")
        let store = try front.openStore()
        let record = try #require(try store.records(in: .queued).first)
        let request = try front.openedSubmission(record).request
        #expect(request.language == .english && request.applicant.name == "Anna Li")
        #expect(request.applicant.phone.digits == "021-62481234" && request.applicant.community == "changshou")
        #expect(screen.contains(record.receiptNumber))
        try front.waitUntil("a QR code for \(record.receiptNumber)") {
            (try? decodeQR(fromScreen: $0))??.hasPrefix("K1.\(record.receiptNumber).") == true
        }
    }

    /// On review, "change contact" leads through every contact screen: the
    /// phone number is changed on its own screen, the others kept with Enter,
    /// and review comes back with "change" highlighted, not "send".
    @Test func aPhoneNumberIsChangedFromTheReviewScreen() throws {
        let front = try TmuxFront()
        try reachTheReview(front)
        try front.keys("4")
        try front.waitFor("请问您怎么称呼")
        try front.keys("Enter")
        try front.waitFor("13912345678")
        try front.keys(Array(repeating: "BSpace", count: 11))
        try front.type("13800138000")
        try front.keys("Enter")
        try front.waitFor("我们可以发短信告诉您办理进度吗")
        try front.keys("Enter")
        try front.waitFor("您的身份证号码")
        try front.keys("Enter", "Enter", "Enter", "Enter", "Enter", "Enter")
        let review = try front.waitFor("请核对您的申请")
        #expect(review.contains("13800138000") && !review.contains("13912345678"))
        #expect(review.contains("▶ 4."), "change contact highlighted, not send: \(review)")
        try front.keys("1")
        try front.waitFor("已收到您的申请")
        let record = try #require(try front.openStore().records(in: .queued).first)
        #expect(try front.openedSubmission(record).request.applicant.phone.digits == "13800138000")
    }

    /// Esc on the emergency screen returns to the question it came from.
    @Test func escOnTheEmergencyScreenReturnsToTheQuestion() throws {
        let front = try TmuxFront()
        try front.waitFor("社区救助自助申请")
        try front.keys("Enter", "3", "1", "4")
        try front.waitFor("如果情况紧急，请马上拨打")
        try front.keys("Escape")
        let question = try front.waitFor("1/\(shippedConfiguration.assessment.questions.count)")
        #expect(!question.contains("如果情况紧急") && question.contains("▶ 4."))
    }

    /// Door 3: browse the programmes and a service's page, then apply for it with one key.
    @Test func theConsultDoorShowsWhatHelpThereIsAndLeadsToAnApplication() throws {
        let front = try TmuxFront()
        try front.waitFor("社区救助自助申请")
        try front.keys("3")
        try front.waitFor("花样伙伴 — 儿童和青少年")
        try front.keys("3")
        try front.waitFor("这个项目提供")
        try front.keys("1")
        let page = try front.waitFor("申请这项帮助")
        #expect(page.contains("社区食堂") && page.contains("12345"))
        try front.keys("Enter")
        try front.waitFor("1/\(shippedConfiguration.assessment.questions.count)")
    }

    /// Door 2: a receipt number typed with a typo is caught by its check
    /// character; typed right without its progress code, the kiosk says only
    /// that it exists; with a wrong code, nothing; with the code printed
    /// beside it, its steps show. A scanned code (the scanner types the
    /// token and Enter) opens progress from a choice screen without choosing
    /// anything there, and a key returns to it.
    @Test func theProgressDoorByTypedNumberAndByScannedCode() throws {
        let front = try TmuxFront()
        try reachTheReview(front)
        try front.keys("1")
        try front.waitFor("已收到您的申请")
        let store = try front.openStore()
        let record = try #require(try store.records(in: .queued).first)
        let number = try ReceiptNumber(parsing: record.receiptNumber)
        let code = try front.receiptKey().progressCode(for: number)
        try front.waitFor("查询码 \(code)")
        // As the forwarder stores what the centre says (ProgressTests covers that path).
        try store.recordProgress([
            ProgressChange(id: 11, receiptNumber: number, state: .received, at: Date()),
            ProgressChange(id: 12, receiptNumber: number, state: .referred, at: Date(),
                           partner: LocalizedText(chinese: "市慈善基金会", english: "City Charity Foundation")),
        ])
        try front.keys("Enter")
        try front.waitFor("查询申请进度")
        try front.keys("4")
        try front.waitFor("回执上的编号")
        var typo = Array(number.description)
        typo[typo.count - 3] = typo[typo.count - 3] == "1" ? "2" : "1"
        try front.type(String(typo))
        try front.keys("Enter")
        try front.waitFor("编号有误")
        try front.keys(Array(repeating: "BSpace", count: typo.count))
        try front.type(number.description.lowercased())
        try front.keys("Enter")
        try front.waitFor("4 位查询码")
        try front.keys("Enter")
        let bare = try front.waitFor("这个编号的申请存在")
        #expect(!bare.contains("市慈善基金会") && !bare.contains("服务中心已收到"), "a number alone shows no step")
        try front.keys("Enter")
        try front.waitFor("查询申请进度")
        try front.keys("4")
        try front.type(number.description)
        try front.keys("Enter")
        try front.waitFor("4 位查询码")
        let wrong = code == "0000" ? "1111" : "0000"
        try front.type(wrong)
        try front.keys("Enter")
        let refused = try front.waitFor("查询码不对")
        #expect(!refused.contains("市慈善基金会"))
        try front.type(code)
        try front.keys("Enter")
        let progress = try front.waitFor("已转介给：市慈善基金会")
        #expect(progress.contains("服务中心已收到") && !progress.contains("欧阳明华"))

        try front.keys("Enter")
        try front.waitFor("查询申请进度")
        try front.keys("Enter")
        try front.waitFor("需要帮助的是谁")
        let token = ReceiptToken(receiptNumber: number, issuedAt: Date(), key: try front.receiptKey())
        try front.type(token.description)
        try front.keys("Enter")
        try front.waitFor("已转介给：市慈善基金会")
        try front.keys("Escape")
        let back = try front.waitFor("需要帮助的是谁")
        #expect(back.contains("▶ 1."), "the scan's digits chose nothing on the programme screen")
    }

    /// A guesser typing codes for a number is stopped for the session, and told so.
    @Test func wrongProgressCodesStopAtTheSessionsLimit() throws {
        let front = try TmuxFront()
        try front.waitFor("社区救助自助申请")
        try front.keys("4")
        try front.waitFor("回执上的编号")
        let number = ReceiptNumber(kioskCode: "JA0301", day: "261130", sequence: 42)
        try front.type(number.description)
        try front.keys("Enter")
        try front.waitFor("4 位查询码")
        let right = try front.receiptKey().progressCode(for: number)
        let guesses = (0..<10).map { String(format: "%04d", $0 * 1111) }.filter { $0 != right }
        for guess in guesses.prefix(FrontState.lookUpsPerSession) {
            try front.type(guess)
            // Typing clears the last answer's message: the next one is this guess's.
            try front.waitFor("> \(guess)▏")
            try front.keys("Enter")
            try front.waitFor("查询码不对")
        }
        try front.type(guesses[FrontState.lookUpsPerSession])
        try front.waitFor("> \(guesses[FrontState.lookUpsPerSession])▏")
        try front.keys("Enter")
        try front.waitFor("这次已经查询了多次")
    }

    @Test func anIdleSessionIsWipedFromScreenAndScrollback() throws {
        let front = try TmuxFront(configEdits: [
            ("kiosk.yaml", "idle_timeout_seconds: 90", "idle_timeout_seconds: 10"),
            ("kiosk.yaml", "countdown_seconds: 15", "countdown_seconds: 5"),
        ])
        try reachTheName(front)
        try front.type("司马长风")
        try front.waitFor("司马长风")
        try front.waitFor("秒后将清除本次填写", timeout: 15)
        try front.waitFor("开始申请", timeout: 10)
        let history = try front.tmux(["capture-pane", "-p", "-S", "-1000", "-t", front.session])
        #expect(!history.contains("司马长风"))
    }

    @Test func aResizeMidFlowReflowsTheScreen() throws {
        let front = try TmuxFront()
        try front.waitFor("社区救助自助申请")
        try front.keys("Enter")
        let narrow = try front.waitFor("需要帮助的是谁")
        #expect(narrow.split(separator: "\n").first.map { $0.hasSuffix("F2 English") } == true)
        try front.tmux(["resize-window", "-t", front.session, "-x", "120", "-y", "40"])
        let wide = try front.waitFor(String(repeating: " ", count: 60) + "F2 English")
        #expect(wide.contains("需要帮助的是谁"))
        try front.keys("2")
        try front.waitFor("职业技能培训")
        try front.tmux(["resize-window", "-t", front.session, "-x", "80", "-y", "24"])
        let back = try front.waitFor("职业技能培训")
        #expect(back.split(separator: "\n").count <= 24)
    }

    /// Shift+F6 once crashed the front (a forced unwrap on the key's
    /// number), and the crash handler then took over the resident's screen.
    @Test func modifiedFunctionKeysAndTerminalReportsLeaveTheFrontRunning() throws {
        let front = try TmuxFront()
        try front.waitFor("社区救助自助申请")
        // The exact bytes: Shift+F6, Ctrl+F10, an OSC colour report, a DCS reply.
        for sequence in ["\u{1B}[17;2~", "\u{1B}[21;5~", "\u{1B}]11;rgb:0000/0000/0000\u{07}", "\u{1B}P1+r\u{1B}\\"] {
            try front.tmux(["send-keys", "-t", front.session, "-H"] + sequence.utf8.map { String(format: "%02x", $0) })
        }
        try front.keys("Enter")
        let screen = try front.waitFor("需要帮助的是谁")
        #expect(!screen.contains("rgb") && !screen.contains("11;"), "nothing of the reports reached the screen")
        let log = try String(contentsOf: front.log, encoding: .utf8)
        #expect(!log.contains("Fatal error") && !log.contains("front stopping"), "\(log)")
    }

    @Test func sigtermLeavesTheTerminalAsItWas() throws {
        let marker = UUID().uuidString.prefix(8)
        let front = try TmuxFront(wrapper: { command, folder in
            "stty -g > \(folder)/before; \(command) ; stty -g > \(folder)/after; echo done-\(marker); sleep 30"
        })
        let folderPath = front.folder.path
        try front.waitFor("社区救助自助申请")
        try front.keys("Enter")
        try front.waitFor("需要帮助的是谁")
        let kill = Process()
        kill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        // Anchored, so the shell around it (whose command line holds the same words) lives on.
        kill.arguments = ["-TERM", "-f", "^\\S*kioskd front --no-printer --config \(front.config.path)"]
        try kill.run()
        kill.waitUntilExit()
        try front.waitFor("done-\(marker)")
        let before = try String(contentsOfFile: folderPath + "/before", encoding: .utf8)
        let after = try String(contentsOfFile: folderPath + "/after", encoding: .utf8)
        #expect(before == after)
        #expect(try String(contentsOf: front.folder.appendingPathComponent("front.log"), encoding: .utf8)
            .contains("front stopping"))
    }
}
