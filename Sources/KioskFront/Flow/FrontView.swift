import Foundation
import IntakeProtocol
import KioskConfig
import KioskDomain
import KioskStore
import QRCode

/// A region of the screen a tap acts on.
public struct TapTarget: Sendable, Hashable {
    public var row: Int
    public var columns: Range<Int>
    public var action: TapAction
}

/// One frame: the cells to draw and what a tap on each region means.
public struct Frame: Sendable {
    public var buffer: ScreenBuffer
    public var targets: [TapTarget]

    public func action(atColumn column: Int, row: Int) -> TapAction? {
        targets.first { $0.row == row && $0.columns.contains(column) }?.action
    }
}

extension FrontState {
    /// Draws the state: a header, the step's title and content, a status
    /// line (field errors, the idle countdown), buttons and a help line.
    /// Larger terminals get more spacing and longer lines.
    public func view(columns: Int, rows: Int, context: FrontContext) -> Frame {
        var painter = Painter(buffer: ScreenBuffer(columns: columns, rows: rows), language: language, context: context)
        painter.header()
        if showingEmergency {
            painter.emergency()
        } else {
            let catalog = context.config.catalog
            switch step {
            case .welcome: painter.welcome()
            case .consultProgrammes:
                painter.choices(title: .consultTitle, catalog.programmes.map { $0.title(language) }, cursor: cursor)
            case let .consultServices(index):
                painter.consultProgramme(catalog.programmes[index], cursor: cursor)
            case let .consultService(programme, service):
                painter.consultService(catalog.programmes[programme].services[service], in: catalog.programmes[programme])
            case .progressEntry: painter.receiptNumberEntry(input: input, problem: progressProblem)
            case .progressCode: painter.progressCodeEntry(progressNumber, input: input, problem: progressProblem)
            case .progress: painter.progress(progress, number: progressNumber, exists: progressExists)
            case .programme:
                painter.choices(title: .programmeTitle, catalog.programmes.map { $0.title(language) }, cursor: cursor)
            case .service:
                let services = catalog.programme(draft.programmeID)?.services ?? []
                painter.choices(title: .serviceTitle, services.map { $0.name[language] }, cursor: cursor)
            case let .question(number):
                let question = context.config.assessment.questions[number]
                painter.choices(title: .assessmentTitle, question.options.map { $0.label[language] }, cursor: cursor,
                                prompt: "\(number + 1)/\(context.config.assessment.questions.count)  \(question.prompt[language])")
            case let .field(field):
                if field.isChoice {
                    painter.choices(title: field.title, choiceNames(field, context), cursor: cursor)
                } else {
                    painter.textField(field, input: input, error: fieldError)
                }
            case .consent:
                painter.choices(title: .consentTitle, [context.text(.consentAccept, language), context.text(.consentDecline, language)],
                                cursor: cursor, prompt: context.texts.consent.text[language])
            case .declined: painter.declined()
            case .review: painter.review(draft, cursor: cursor)
            case .submitting: painter.message(.submitting)
            case .receipt: painter.receipt(receipt, progress: printProgress)
            case .submitFailed: painter.submitFailed()
            }
        }
        if let seconds = countdownSeconds(context) {
            painter.statusLine(context.text(.idleCountdown, language).replacingOccurrences(of: "{seconds}", with: String(seconds)))
        }
        let typing = switch step {
        case let .field(field): !field.isChoice && !showingEmergency
        case .progressEntry, .progressCode: true
        default: false
        }
        painter.helpLine(typing ? .helpLineText : step == .progress ? .anyKeyReturns : .helpLine,
                         showsBack: ![.welcome, .receipt, .submitting, .declined, .progress].contains(step))
        return Frame(buffer: painter.buffer, targets: painter.targets)
    }

    /// The options of a list field, in the order of `choiceCodes`, "not sure" last.
    func choiceNames(_ field: ContactField, _ context: FrontContext) -> [String] {
        switch field {
        case .textMessages: return [context.text(.textMessagesYes, language), context.text(.textMessagesNo, language)]
        case .street: return context.config.areas.map { $0.name[language] } + [context.text(.streetUnsure, language)]
        case .community:
            return (context.config.areas.first { $0.code == draft.street }?.communities.map { $0.name[language] } ?? [])
                + [context.text(.communityUnsure, language)]
        default: return []
        }
    }
}

/// Draws into a buffer from the top down, recording tap targets.
struct Painter {
    var buffer: ScreenBuffer
    var targets: [TapTarget] = []
    let language: Language
    let context: FrontContext
    /// The next free row for content.
    var row = 2

    init(buffer: ScreenBuffer, language: Language, context: FrontContext) {
        self.buffer = buffer
        self.language = language
        self.context = context
    }

    var columns: Int { buffer.columns }
    var rows: Int { buffer.rows }
    /// Rows reserved at the bottom: status line, buttons, help.
    var contentEnd: Int { rows - 3 }
    var margin: Int { columns >= 100 ? 4 : 2 }
    var width: Int { columns - 2 * margin }
    var roomy: Bool { rows >= 32 }

    func text(_ key: ScreenTexts.Key) -> String { context.text(key, language) }

    mutating func header() {
        buffer.fill(row: 0, from: 0, to: columns, style: .reverse)
        let switchLabel = " F2 \(text(.languageSwitch)) "
        let start = columns - CharacterWidth.of(switchLabel)
        // The full name when it fits, else the short one (English names run long).
        let centre = context.config.centre
        var name = centre.name[language]
        if CharacterWidth.of(name) > start - 2, let short = centre.shortName { name = short[language] }
        buffer.write(" " + name.truncated(toColumns: max(1, start - 2)), column: 0, row: 0, style: [.reverse, .bold])
        buffer.write(switchLabel, column: start, row: 0, style: [.reverse])
        targets.append(TapTarget(row: 0, columns: start..<columns, action: .toggleLanguage))
    }

    mutating func title(_ value: String) {
        for line in value.wrapped(toColumns: width) where row < contentEnd {
            buffer.write(line, column: margin, row: row, style: .bold)
            row += 1
        }
        row += 1
    }

    mutating func paragraph(_ value: String, style: CellStyle = []) {
        for line in value.wrapped(toColumns: width) where row < contentEnd {
            buffer.write(line, column: margin, row: row, style: style)
            row += 1
        }
    }

    mutating func welcome() {
        row = roomy ? 6 : 3
        title(text(.welcomeTitle))
        paragraph(text(context.printsReceipts ? .welcomeBody : .welcomeBodyNoPrinter))
        row += 1
        options([text(.welcomeStart), text(.languageSwitch), text(.welcomeConsult), text(.welcomeProgress)], cursor: 0)
    }

    /// A receipt number to type, the example built from this kiosk's code.
    mutating func receiptNumberEntry(input: String, problem: ProgressProblem?) {
        title(text(.progressTitle))
        let example = ReceiptNumber(kioskCode: context.config.identity.kioskCode, day: "261130", sequence: 42).description
        paragraph(text(.progressEnter).replacingOccurrences(of: "{example}", with: example))
        row += 1
        buffer.write("> ", column: margin, row: row, style: .bold)
        buffer.fill(row: row, from: margin + 2, to: margin + 2 + min(width - 2, 30), style: .underline)
        buffer.write(input + "▏", column: margin + 2, row: row, style: .underline)
        row += 2
        if let problem { progressProblem(problem, example: example) }
        button(text(.next), action: .next, row: min(row + 1, contentEnd - 1))
    }

    /// The four digits beside the number, or none (then only whether it exists).
    mutating func progressCodeEntry(_ number: ReceiptNumber?, input: String, problem: ProgressProblem?) {
        title(text(.progressTitle))
        paragraph(number?.description ?? "", style: [.bold, .reverse])
        row += 1
        paragraph(text(.progressCodeEnter))
        row += 1
        buffer.write("> ", column: margin, row: row, style: .bold)
        buffer.fill(row: row, from: margin + 2, to: margin + 2 + 8, style: .underline)
        buffer.write(input + "▏", column: margin + 2, row: row, style: .underline)
        row += 2
        if let problem { progressProblem(problem, example: "") }
        button(text(.next), action: .next, row: min(row + 1, contentEnd - 1))
    }

    mutating func progressProblem(_ problem: ProgressProblem, example: String) {
        let words = switch problem {
        case .format: text(.progressFormat)
        case .checkCharacter: text(.progressCheck)
        case .notThisKiosk: text(.progressNotThisKiosk)
        case .codeFormat, .wrongCode: text(.progressCodeError)
        case .sessionLimit: text(.progressSessionLimit)
        case let .tooMany(seconds): text(.progressTooMany).replacingOccurrences(of: "{seconds}", with: String(seconds))
        }
        paragraph("⚠ " + words.replacingOccurrences(of: "{example}", with: example), style: [.bold, .reverse])
    }

    /// A request's progress: where it stands here, then each step at the
    /// centre with its date. Nothing personal: the kiosk has none to show.
    mutating func progress(_ progress: ReceiptProgress?, number: ReceiptNumber?, exists: Bool?) {
        guard let progress else {
            // A number without its code: whether it exists, nothing more.
            guard let number, let exists else { return }
            title(text(.progressTitle))
            paragraph(number.description, style: [.bold, .reverse])
            row += 1
            paragraph(text(exists ? .progressExists : .progressUnknown), style: .bold)
            return
        }
        title(text(.progressTitle))
        paragraph(progress.receiptNumber.description, style: [.bold, .reverse])
        row += 1
        switch progress.here {
        case .waiting: paragraph(text(.progressWaiting), style: .bold)
        case .setAside: paragraph(text(.progressSetAside), style: .bold)
        case .unknown where progress.steps.isEmpty: paragraph(text(.progressUnknown), style: .bold)
        case let .sent(at) where progress.steps.isEmpty: paragraph("\(day(at))  \(text(.progressSent))")
        default: break
        }
        for step in progress.steps {
            paragraph("\(day(step.at))  \(words(for: step))", style: step == progress.steps.last ? .bold : [])
        }
    }

    func words(for step: ProgressChange) -> String {
        if let referral = step.referral {
            let key: ScreenTexts.Key = switch referral.step {
            case .received: .progressReferralReceived
            case .accepted: .progressReferralAccepted
            case .declined: .progressReferralDeclined
            case .completed: .progressReferralCompleted
            }
            return text(key).replacingOccurrences(of: "{partner}", with: step.partner?[language] ?? "—")
                .replacingOccurrences(of: "{day}", with: referral.deliveredOn.map(day) ?? day(step.at))
        }
        switch step.state {
        case .received: return text(.progressReceived)
        case .accepted: return text(.progressAccepted)
        case .assigned: return text(.progressAssigned)
        case .contacted: return text(.progressContacted)
        case .inService: return text(.progressInService)
        case .referred:
            return text(.progressReferred).replacingOccurrences(of: "{partner}", with: step.partner?[language] ?? "—")
        case .closed:
            let outcome: String = switch step.outcome {
            case .helped?: text(.outcomeHelped)
            case .referredConfirmed?: text(.outcomeReferredConfirmed)
            case .notEligible?: text(.outcomeNotEligible)
            case .withdrawn?: text(.outcomeWithdrawn)
            case .unreachable?: withHotline(.outcomeUnreachable)
            case .duplicate?: text(.outcomeDuplicate)
            case nil: "—"
            }
            return text(.progressClosed).replacingOccurrences(of: "{outcome}", with: outcome)
        }
    }

    /// A date in the kiosk's own time zone, as the resident's receipt shows it.
    func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = context.config.identity.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Fills `{number}` with the district's assistance hotline.
    func withHotline(_ key: ScreenTexts.Key) -> String {
        text(key).replacingOccurrences(of: "{number}", with: context.config.assistanceHotline.number)
    }

    /// A programme for a resident browsing: what it is, then its services.
    mutating func consultProgramme(_ programme: Programme, cursor: Int) {
        title(programme.title(language))
        if let description = programme.description { paragraph(description[language]) }
        row += 1
        paragraph(text(.consultServices), style: .bold)
        options(programme.services.map { $0.name[language] }, cursor: cursor)
    }

    /// One service: what it is and how to ask, and one key to apply.
    mutating func consultService(_ service: Service, in programme: Programme) {
        paragraph(programme.title(language))
        row += 1
        title(service.name[language])
        if let description = service.description { paragraph(description[language]) }
        row += 1
        paragraph(withHotline(.consultAsk))
        row += 1
        options([text(.consultApply)], cursor: 0)
    }

    mutating func choices(title key: ScreenTexts.Key, _ names: [String], cursor: Int, prompt: String? = nil) {
        title(text(key))
        if let prompt {
            paragraph(prompt, style: .bold)
            row += 1
        }
        options(names, cursor: cursor)
    }

    /// Numbered options, the highlighted one in reverse video with a marker
    /// (never colour alone); each row is a tap target.
    mutating func options(_ names: [String], cursor: Int) {
        let spacing = (contentEnd - row) >= names.count * 2 ? 1 : 0
        for (index, name) in names.enumerated() where row < contentEnd {
            let selected = index == cursor
            let number = index < 9 ? "\(index + 1)." : "  "
            let label = "\(selected ? "▶" : " ") \(number) \(name)".truncated(toColumns: width)
            buffer.write(label, column: margin, row: row, style: selected ? [.reverse, .bold] : [])
            if selected { buffer.fill(row: row, from: margin, to: margin + min(width, max(CharacterWidth.of(label) + 2, 30)), style: .reverse) }
            targets.append(TapTarget(row: row, columns: 0..<columns, action: .choose(index)))
            row += 1 + spacing
        }
    }

    mutating func textField(_ field: ContactField, input: String, error: ValidationError?) {
        // Chinese puts no space before its full-width bracket.
        let optional = text(.optional)
        title(text(field.title) + (field.isOptional ? (optional.hasPrefix("（") ? "" : " ") + optional : ""))
        // What the field takes, said before the resident types.
        let range = Applicant.householdSizes
        switch field {
        case .phone: paragraph(text(.hintPhone))
        case .residentID: paragraph(text(.hintResidentID))
        case .householdSize:
            paragraph(text(.hintHouseholdSize).replacingOccurrences(of: "{min}", with: String(range.lowerBound))
                .replacingOccurrences(of: "{max}", with: String(range.upperBound)))
        case .description:
            paragraph(text(.hintCount).replacingOccurrences(of: "{count}", with: String(input.count))
                .replacingOccurrences(of: "{max}", with: String(field.inputLimit)))
        default: break
        }
        row += 1
        // The typed text, last lines when long, underlined to show the field.
        let boxWidth = min(width - 2, 60)
        var lines = (input + "▏").wrapped(toColumns: boxWidth)
        let maxLines = max(1, min(6, contentEnd - row - 3))
        if lines.count > maxLines { lines = Array(lines.suffix(maxLines)) }
        for line in lines where row < contentEnd {
            buffer.write("> ", column: margin, row: row, style: .bold)
            buffer.fill(row: row, from: margin + 2, to: margin + 2 + boxWidth, style: .underline)
            buffer.write(line, column: margin + 2, row: row, style: .underline)
            row += 1
        }
        if let error, row < contentEnd {
            row += 1
            paragraph("⚠ " + context.texts.message(for: error, in: language), style: [.bold, .reverse])
        }
        button(text(.next), action: .next, row: min(row + 1, contentEnd - 1))
    }

    mutating func button(_ label: String, action: TapAction, row buttonRow: Int) {
        let text = "[ \(label) ]"
        buffer.write(text, column: margin, row: buttonRow, style: .bold)
        targets.append(TapTarget(row: buttonRow, columns: margin..<(margin + CharacterWidth.of(text)), action: action))
    }

    mutating func review(_ draft: SubmissionDraft, cursor: Int) {
        title(text(.reviewTitle))
        let catalog = context.config.catalog
        let programme = catalog.programme(draft.programmeID)?.name[language] ?? ""
        let service = catalog.service(draft.serviceID, in: draft.programmeID)?.name[language] ?? ""
        let area = context.config.areas.first { $0.code == draft.street }
        let community = area?.communities.first { $0.code == draft.community }
        let lines = [
            "\(programme) · \(service)",
            "\(text(.fieldName)): \(draft.name)   \(text(.fieldPhone)): \(draft.phone)"
                + (draft.textMessages == true ? " (\(text(.fieldTextMessages)))" : ""),
            "\(area?.name[language] ?? text(.streetUnsure)) \(community?.name[language] ?? "") \(draft.addressDetail)",
            "\(text(.fieldHouseholdSize)): \(draft.householdSize)"
                + (draft.residentID.isEmpty ? "" : "   \(text(.fieldResidentID)): \(draft.residentID.prefix(6))********\(draft.residentID.suffix(4))"),
        ] + (draft.description.isEmpty ? [] : [draft.description])
        for line in lines { paragraph(line.truncated(toColumns: width * 2)) }
        row += 1
        options([
            text(.reviewSubmit),
            "\(text(.reviewEdit)): \(text(.serviceTitle))",
            "\(text(.reviewEdit)): \(text(.assessmentTitle))",
            "\(text(.reviewEdit)): \(text(.contactTitle))",
        ], cursor: cursor)
    }

    mutating func emergency() {
        row = 2
        buffer.fill(row: row, from: 0, to: columns, style: .reverse)
        buffer.write(" ⚠ " + text(.emergencyTitle), column: margin, row: row, style: [.reverse, .bold])
        row += 2
        for (number, label) in hotlines() where row < contentEnd {
            let next = buffer.write(" \(number) ", column: margin + 2, row: row, style: [.bold, .reverse])
            buffer.write("  " + label, column: next, row: row, style: .bold)
            row += roomy ? 2 : 1
        }
        row += 1
        paragraph(text(.emergencyBody))
        row += 1
        paragraph(text(.emergencyContinue), style: .bold)
    }

    mutating func declined() {
        row = roomy ? 5 : 3
        title(text(.declinedTitle))
        paragraph(text(.declinedBody))
        row += 1
        paragraph(context.config.centre.name[language], style: .bold)
        paragraph(context.config.centre.address[language])
        paragraph(context.config.centre.hours[language])
        row += 1
        paragraph(text(.declinedHotlines))
        hotlineList()
    }

    /// The hotlines, one a line, numbers aligned in one column.
    mutating func hotlineList() {
        for (number, label) in hotlines() where row < contentEnd {
            paragraph("\(number)  \(label)", style: .bold)
        }
    }

    /// Each hotline's number padded to the longest, so labels line up; the
    /// assistance line first (the configuration reads it so).
    func hotlines() -> [(number: String, label: String)] {
        let numberWidth = context.config.hotlines.map(\.number.count).max() ?? 0
        return context.config.hotlines.map {
            ($0.number.padding(toLength: numberWidth, withPad: " ", startingAt: 0), $0.label[language])
        }
    }

    mutating func submitFailed() {
        title(text(.submitFailed))
        hotlineList()
    }

    mutating func message(_ key: ScreenTexts.Key) {
        row = rows / 2 - 1
        paragraph(text(key), style: .bold)
    }

    /// The receipt: number large on the left, the QR code in half blocks on
    /// the right (or below, or left out when the screen is too small).
    mutating func receipt(_ info: ReceiptInfo?, progress: PrintProgress) {
        guard let info else { return }
        let qrColumns = info.qr.map { $0.size + 8 } ?? 0
        let qrRows = info.qr.map { ($0.size + 8 + 1) / 2 } ?? 0
        // Beside the text the code may use every row between header and help line.
        let sideBySide = info.qr != nil && columns - qrColumns - 2 >= 30 && rows - 2 >= qrRows + 1
        let textWidth = sideBySide ? columns - qrColumns - margin - 2 : width
        func say(_ value: String, style: CellStyle = []) {
            for line in value.wrapped(toColumns: textWidth) where row < contentEnd {
                buffer.write(line, column: margin, row: row, style: style)
                row += 1
            }
        }
        say(text(.receiptTitle), style: .bold)
        row += 1
        say(text(.receiptNumber))
        say(info.number.description, style: [.bold, .reverse])
        if !info.progressCode.isEmpty {
            say(text(.receiptProgressCode).replacingOccurrences(of: "{code}", with: info.progressCode), style: .bold)
        }
        row += 1
        say(text(.receiptNextSteps))
        row += 1
        switch progress {
        case .queued: say(text(.printQueued))
        case .printed: say(text(.printDone), style: .bold)
        case .failed: say("⚠" + text(.printFailed), style: [.bold, .reverse])
        case .noPrinter: say(text(.receiptNoPrinter), style: .bold)
        }
        row += 1
        // The second slip carries personal data: the resident must know to take it.
        if context.config.receipt.printsCentreCopy, progress == .queued || progress == .printed {
            say(text(.receiptCentreCopyNote), style: .bold)
            row += 1
        }
        guard let qr = info.qr else { say(text(.receiptNoQR)); return }
        if sideBySide {
            say(text(.receiptQRHint))
            drawQR(qr, column: columns - qrColumns - 1, row: 1)
        } else if contentEnd - row >= qrRows, columns >= qrColumns {
            drawQR(qr, column: (columns - qrColumns) / 2, row: row)
            row += qrRows
        } else {
            say(text(.receiptNoQR))
        }
    }

    /// Two module rows per text row: light modules are drawn (full, upper or
    /// lower block), dark ones left black, with a 4-module light quiet zone,
    /// so the code reads on a light-on-dark terminal.
    mutating func drawQR(_ qr: QRMatrix, column: Int, row top: Int) {
        let quiet = 4
        let side = qr.size + 2 * quiet
        for pair in 0..<((side + 1) / 2) {
            var line = ""
            for x in 0..<side {
                let upperLight = !qr[x - quiet, 2 * pair - quiet]
                let lowerLight = 2 * pair + 1 < side ? !qr[x - quiet, 2 * pair + 1 - quiet] : false
                line.append(upperLight ? (lowerLight ? "█" : "▀") : (lowerLight ? "▄" : " "))
            }
            buffer.write(line, column: column, row: top + pair)
        }
    }

    mutating func statusLine(_ value: String) {
        buffer.write(value.truncated(toColumns: width), column: margin, row: rows - 3, style: [.bold, .reverse])
    }

    mutating func helpLine(_ key: ScreenTexts.Key, showsBack: Bool) {
        if showsBack {
            let label = "[Esc \(text(.back))]"
            let start = columns - margin - CharacterWidth.of(label)
            buffer.write(label, column: start, row: rows - 2, style: .bold)
            targets.append(TapTarget(row: rows - 2, columns: start..<(start + CharacterWidth.of(label)), action: .back))
        }
        buffer.write(text(key).truncated(toColumns: columns - 2), column: 1, row: rows - 1)
    }
}
