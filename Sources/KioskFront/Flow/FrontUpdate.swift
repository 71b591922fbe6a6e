import Foundation
import KioskDomain

extension FrontState {
    /// The flow: one event in, the next state and the effects to run out.
    /// Pure, so every screen and transition is tested without a terminal.
    public mutating func update(_ event: FrontEvent, at now: ContinuousClock.Instant,
                                context: FrontContext) -> [FrontEffect] {
        self.now = now
        switch event {
        case .tick:
            return checkTimers(context)
        case let .submitted(info):
            guard step == .submitting else { return [] }
            receipt = info
            step = .receipt
            lastActivity = now
            guard context.printsReceipts else {
                printProgress = .noPrinter
                return []
            }
            printProgress = .queued
            return [.checkPrint(info.submissionID)]
        case .submitFailed:
            if step == .submitting { step = .submitFailed }
            return []
        case let .printProgress(progress):
            printProgress = progress
            return []
        case let .scanned(number):
            let wipe = expired(context) ? endSession() : []
            lastActivity = now
            return wipe + scanned(number, context)
        case let .progressAnswered(answer):
            return progressAnswered(answer)
        case let .input(input):
            // A key after the session timed out starts afresh, never revives it.
            if expired(context) { return endSession() }
            lastActivity = now
            return handle(input, context)
        case let .tap(action):
            if expired(context) { return endSession() }
            lastActivity = now
            return handle(action, context)
        }
    }

    // MARK: - Timers

    private func expired(_ context: FrontContext) -> Bool {
        idleRemaining(context).map { $0 <= .zero } ?? false
    }

    /// Time left before an idle session is wiped; nil on screens that do
    /// not time out this way.
    func idleRemaining(_ context: FrontContext) -> Duration? {
        switch step {
        case .welcome, .submitting: return nil
        case .receipt, .declined: return context.config.session.receiptScreen - (now - lastActivity)
        default: return context.config.session.idleTimeout - (now - lastActivity)
        }
    }

    /// Seconds of the visible countdown, when it shows.
    func countdownSeconds(_ context: FrontContext) -> Int? {
        guard step != .receipt, step != .declined, let remaining = idleRemaining(context),
              remaining <= context.config.session.countdown
        else { return nil }
        return max(0, Int(remaining.seconds.rounded(.up)))
    }

    /// When the loop must wake up next without input; nil: block until a key.
    public func nextDeadline(_ context: FrontContext) -> ContinuousClock.Instant? {
        guard let remaining = idleRemaining(context) else { return nil }
        var deadline = now + remaining
        if step == .receipt, printProgress == .queued { deadline = min(deadline, now + .seconds(1)) }
        if step != .receipt, step != .declined {
            let countdownStart = now + remaining - context.config.session.countdown
            // In the countdown, wake each second to redraw it.
            deadline = countdownStart > now ? min(deadline, countdownStart) : min(deadline, now + .seconds(1))
        }
        return deadline
    }

    private mutating func checkTimers(_ context: FrontContext) -> [FrontEffect] {
        guard let remaining = idleRemaining(context) else { return [] }
        if remaining <= .zero { return endSession() }
        if step == .receipt, printProgress == .queued, let receipt { return [.checkPrint(receipt.submissionID)] }
        return []
    }

    private mutating func endSession() -> [FrontEffect] {
        self = wiped()
        return [.wipeScreen]
    }

    // MARK: - Keys

    private mutating func handle(_ input: InputEvent, _ context: FrontContext) -> [FrontEffect] {
        if input == .function(2) { return handle(.toggleLanguage, context) }
        if showingEmergency {
            // Esc is "back" on every screen, this one too; any other key goes on.
            return leaveEmergency(back: input == .escape || input == .backspace, context)
        }
        switch step {
        case .receipt, .declined, .submitFailed:
            return endSession()
        case .submitting:
            return []
        case .progress:
            return leaveProgress(context)
        case .progressEntry:
            return handleReceiptNumber(input, context)
        case .progressCode:
            return handleProgressCode(input, context)
        case let .field(field) where !field.isChoice:
            return handleText(input, field: field, context)
        default:
            break
        }
        let count = optionCount(context)
        switch input {
        case let .character(character):
            if let digit = character.wholeNumberValue, digit >= 1, digit <= min(9, count) {
                return handle(.choose(digit - 1), context)
            }
            return []
        case .up, .left:
            cursor = count == 0 ? 0 : (cursor + count - 1) % count
            return []
        case .down, .right, .tab:
            cursor = count == 0 ? 0 : (cursor + 1) % count
            return []
        case .enter:
            return handle(.choose(cursor), context)
        case .escape, .backspace:
            return handle(.back, context)
        default:
            return []
        }
    }

    private mutating func handleText(_ key: InputEvent, field: ContactField, _ context: FrontContext) -> [FrontEffect] {
        switch key {
        case let .character(character):
            append(String(character), field: field)
        case let .paste(text):
            append(text, field: field)
        case .backspace:
            if !input.isEmpty { input.removeLast() }
            fieldError = nil
        case .enter, .tab:
            return handle(.next, context)
        case .escape:
            return handle(.back, context)
        default:
            break
        }
        return []
    }

    /// Adds typed or pasted text up to the field's limit. In number fields a
    /// key that can never be right (a letter in a phone number) is refused
    /// at once with the field's message.
    private mutating func append(_ text: String, field: ContactField) {
        fieldError = nil
        var room = field.inputLimit - input.count
        for character in text where room > 0 {
            if let refusal = Self.refusal(of: character, in: field) {
                fieldError = refusal
                continue
            }
            input.append(character)
            room -= 1
        }
    }

    static func refusal(of character: Character, in field: ContactField) -> ValidationError? {
        let digit = character.isASCII && character.isNumber
        switch field {
        case .phone:
            return digit || character == "-" || character == " " ? nil : ValidationError(.phone, .phoneFormat)
        case .residentID:
            return digit || character == "X" || character == "x" ? nil : ValidationError(.residentID, .residentIDFormat)
        case .householdSize:
            return digit ? nil : ValidationError(.householdSize, .outOfRange(Applicant.householdSizes))
        default:
            return nil
        }
    }

    /// The hotlines give way: back to the question that raised them, with
    /// the emergency answer highlighted to change, or on to the next.
    private mutating func leaveEmergency(back: Bool, _ context: FrontContext) -> [FrontEffect] {
        showingEmergency = false
        guard back else { return advanceFromQuestion(context) }
        go(step, context) // the same question, its emergency answer highlighted
        return []
    }

    // MARK: - Actions

    private mutating func handle(_ action: TapAction, _ context: FrontContext) -> [FrontEffect] {
        if action == .toggleLanguage {
            language = language == .chinese ? .english : .chinese
            return []
        }
        if showingEmergency {
            return leaveEmergency(back: action == .back, context)
        }
        let catalog = context.config.catalog
        switch step {
        case .welcome:
            switch action {
            case .choose(0), .next: go(.programme, context)
            case .choose(1): return handle(.toggleLanguage, context)
            case .choose(2): go(.consultProgrammes, context)
            case .choose(3): go(.progressEntry, context)
            default: break
            }
        case .progressEntry:
            if action == .next || action == .choose(0) { return lookUp(context) }
            if action == .back { go(.welcome, context) }
        case .progressCode:
            if action == .next || action == .choose(0) { return lookUpWithCode(context) }
            if action == .back { backToNumber(context) }
        case .progress:
            return leaveProgress(context)
        case .consultProgrammes:
            if case let .choose(index) = action, index < catalog.programmes.count {
                go(.consultServices(programme: index), context)
            } else if action == .back { go(.welcome, context) }
        case let .consultServices(programme):
            if case let .choose(index) = action, index < catalog.programmes[programme].services.count {
                go(.consultService(programme: programme, service: index), context)
            } else if action == .back {
                go(.consultProgrammes, context)
                cursor = programme
            }
        case let .consultService(programme, service):
            if action == .choose(0) || action == .next {
                // One key from a service page to an application for it.
                draft.programmeID = catalog.programmes[programme].id
                draft.serviceID = catalog.programmes[programme].services[service].id
                go(.question(0), context)
            } else if action == .back {
                go(.consultServices(programme: programme), context)
                cursor = service
            }
        case .programme:
            if case let .choose(index) = action, index < catalog.programmes.count {
                let id = catalog.programmes[index].id
                if draft.programmeID != id { draft.serviceID = "" }
                draft.programmeID = id
                go(.service, context)
            } else if action == .back { finishGroup(.service, orGo: .welcome, context) }
        case .service:
            let services = catalog.programme(draft.programmeID)?.services ?? []
            if case let .choose(index) = action, index < services.count {
                draft.serviceID = services[index].id
                finishGroup(.service, orGo: .question(0), context)
            } else if action == .back { go(.programme, context) }
        case let .question(number):
            let question = context.config.assessment.questions[number]
            if case let .choose(index) = action, index < question.options.count {
                let option = question.options[index]
                draft.answers.removeAll { $0.questionID == question.id }
                draft.answers.append(AssessmentAnswer(questionID: question.id, optionID: option.id))
                if option.isEmergency {
                    showingEmergency = true
                    return []
                }
                return advanceFromQuestion(context)
            } else if action == .back {
                if number > 0 { go(.question(number - 1), context) } else { finishGroup(.answers, orGo: .service, context) }
            }
        case .consent:
            if action == .choose(0) || action == .next {
                draft.consentVersion = context.config.texts.consent.version
                draft.consentedAt = Date()
                go(.field(.name), context)
            } else if action == .choose(1) {
                // Declining loses the answers so far, nothing else happens.
                let language = self.language
                self = wiped(language: language)
                step = .declined
                return [.wipeScreen]
            } else if action == .back {
                go(.question(context.config.assessment.questions.count - 1), context)
            }
        case let .field(field):
            return handleField(action, field: field, context)
        case .review:
            switch action {
            case .choose(0), .next:
                step = .submitting
                draft.language = language
                return [.submit(draft)]
            case .choose(ReviewGroup.service.rawValue):
                editing = .service
                go(.programme, context)
            case .choose(ReviewGroup.answers.rawValue):
                editing = .answers
                go(.question(0), context)
            case .choose(ReviewGroup.contact.rawValue):
                editing = .contact
                go(.field(.name), context)
            case .back:
                go(.field(.description), context)
            default: break
            }
        case .receipt, .declined, .submitFailed:
            return endSession()
        case .submitting:
            break
        }
        return []
    }

    /// Leaving a part at either end (past its last screen, or Back from its
    /// first): back to review when changing it from there, with that part's
    /// "change" highlighted (never "send"); else on to `next`.
    private mutating func finishGroup(_ group: ReviewGroup, orGo next: Step, _ context: FrontContext) {
        guard editing == group else { go(next, context); return }
        editing = nil
        go(.review, context)
        cursor = group.rawValue
    }

    private mutating func advanceFromQuestion(_ context: FrontContext) -> [FrontEffect] {
        guard case let .question(number) = step else { return [] }
        if number + 1 < context.config.assessment.questions.count {
            go(.question(number + 1), context)
        } else {
            finishGroup(.answers, orGo: .consent, context)
        }
        return []
    }

    private mutating func handleField(_ action: TapAction, field: ContactField, _ context: FrontContext)
        -> [FrontEffect] {
        if action == .back {
            if field == .name {
                finishGroup(.contact, orGo: .consent, context)
            } else if field == .addressDetail, draft.street.isEmpty {
                go(.field(.street), context) // no community was asked
            } else if field == .residentID, !asksTextMessages {
                go(.field(.phone), context) // a landline is not asked about text messages
            } else if let previous = field.previous {
                go(.field(previous), context)
            }
            return []
        }
        if field.isChoice {
            let choices = choiceCodes(field, context)
            guard case let .choose(index) = action, index < choices.count else { return [] }
            if field == .textMessages {
                draft.textMessages = choices[index] == "yes"
            } else if field == .street {
                if draft.street != choices[index] {
                    draft.community = ""
                    answeredLists.remove(.community)
                }
                draft.street = choices[index]
            } else {
                draft.community = choices[index]
            }
            answeredLists.insert(field)
            advance(from: field, context)
            return []
        }
        guard action == .next || action == .choose(0) else { return [] }
        if let error = validate(field, context) {
            fieldError = error
            return []
        }
        advance(from: field, context)
        return []
    }

    /// Checks the typed text and keeps it in the draft; nil when it is fine.
    private mutating func validate(_ field: ContactField, _ context: FrontContext) -> ValidationError? {
        let text = input
        do {
            switch field {
            case .name: draft.name = try TextRule.name.check(text, field: .name)
            case .phone:
                let phone = try PhoneNumber(parsing: text)
                draft.phone = phone.digits
                // Only a mobile takes text messages: a landline's answer is no, and it is not asked.
                if phone.kind != .mobile { draft.textMessages = false }
            case .residentID:
                let today = context.config.validationContext(now: Date()).today
                draft.residentID = text.isEmpty ? "" : try ResidentID(parsing: text, today: today).value
            case .addressDetail: draft.addressDetail = try TextRule.addressDetail.check(text, field: .addressDetail)
            case .householdSize:
                guard let size = Int(text), Applicant.householdSizes.contains(size) else {
                    throw ValidationError(.householdSize, .outOfRange(Applicant.householdSizes))
                }
                draft.householdSize = size
            case .description: draft.description = try TextRule.description.check(text, field: .description)
            case .textMessages, .street, .community: break
            }
            return nil
        } catch let error as ValidationError {
            return error
        } catch {
            return ValidationError(.name, .required)
        }
    }

    private mutating func advance(from field: ContactField, _ context: FrontContext) {
        // A resident not sure of their street is not asked for its community.
        if field == .street, draft.street.isEmpty {
            go(.field(.addressDetail), context)
        } else if field == .phone, !asksTextMessages {
            go(.field(.residentID), context)
        } else if let next = field.next {
            go(.field(next), context)
        } else {
            finishGroup(.contact, orGo: .review, context)
        }
    }

    /// Moves to a screen, with the highlighted option and the text input set
    /// from what the draft already holds: Back and Change show earlier
    /// answers, so Enter never silently replaces one.
    mutating func go(_ next: Step, _ context: FrontContext) {
        step = next
        cursor = 0
        fieldError = nil
        progressProblem = nil
        input = ""
        let catalog = context.config.catalog
        switch next {
        case .programme:
            cursor = catalog.programmes.firstIndex { $0.id == draft.programmeID } ?? 0
        case .service:
            cursor = catalog.programme(draft.programmeID)?.services.firstIndex { $0.id == draft.serviceID } ?? 0
        case let .question(number):
            let question = context.config.assessment.questions[number]
            let chosen = draft.answers.first { $0.questionID == question.id }?.optionID
            cursor = question.options.firstIndex { $0.id == chosen } ?? 0
        case let .field(field) where field.isChoice:
            if field == .textMessages {
                cursor = draft.textMessages == false ? 1 : 0
                break
            }
            // "Not sure" (the last option, an empty code) only once it was chosen.
            let chosen = field == .street ? draft.street : draft.community
            let codes = choiceCodes(field, context)
            cursor = chosen.isEmpty ? (answeredLists.contains(field) ? codes.count - 1 : 0)
                : codes.firstIndex(of: chosen) ?? 0
        case let .field(field):
            switch field {
            case .name: input = draft.name
            case .phone: input = draft.phone
            case .residentID: input = draft.residentID
            case .addressDetail: input = draft.addressDetail
            case .householdSize: input = draft.householdSize > 0 ? String(draft.householdSize) : ""
            case .description: input = draft.description
            case .textMessages, .street, .community: break
            }
        default:
            break
        }
    }

    /// The codes of a list field's options; the last, "not sure", is empty.
    func choiceCodes(_ field: ContactField, _ context: FrontContext) -> [String] {
        switch field {
        case .textMessages: return ["yes", "no"]
        case .street: return context.config.areas.map(\.code) + [""]
        case .community:
            return (context.config.areas.first { $0.code == draft.street }?.communities.map(\.code) ?? []) + [""]
        default: return []
        }
    }

    /// Text messages are asked about after a mobile number only.
    var asksTextMessages: Bool { (try? PhoneNumber(parsing: draft.phone))?.kind == .mobile }

    /// How many options the current screen offers (for keys and arrows).
    func optionCount(_ context: FrontContext) -> Int {
        switch step {
        case .welcome: 4
        case .consultProgrammes: context.config.catalog.programmes.count
        case let .consultServices(programme): context.config.catalog.programmes[programme].services.count
        case .consultService: 1
        case .programme: context.config.catalog.programmes.count
        case .service: context.config.catalog.programme(draft.programmeID)?.services.count ?? 0
        case let .question(number): context.config.assessment.questions[number].options.count
        case let .field(field): field.isChoice ? choiceCodes(field, context).count : 0
        case .consent: 2
        case .review: 4
        default: 0
        }
    }
}
