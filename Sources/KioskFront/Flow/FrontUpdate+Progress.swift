import Foundation
import KioskDomain

/// The progress door: a receipt's QR code, or its number and the four-digit
/// progress code printed beside it, shows what became of the request; a
/// number alone says only whether it exists. Guessable numbers must not
/// show a neighbour's case to a passer-by.
extension FrontState {
    /// Typed look-ups one session may make before it must start again.
    public static let lookUpsPerSession = 5
    public static let progressCodeLength = 4

    /// A receipt number typed in: letters, digits and hyphens, upper-cased.
    mutating func handleReceiptNumber(_ key: InputEvent, _ context: FrontContext) -> [FrontEffect] {
        switch key {
        case let .character(character) where character.isASCII && (character.isLetter || character.isNumber || character == "-"):
            if input.count < 24 { input.append(Character(character.uppercased())) }
            progressProblem = nil
        case .backspace:
            if !input.isEmpty { input.removeLast() }
            progressProblem = nil
        case .enter, .tab:
            return lookUp(context)
        case .escape:
            go(.welcome, context)
        default:
            break
        }
        return []
    }

    /// The check character catches a typo before the code is asked for.
    mutating func lookUp(_ context: FrontContext) -> [FrontEffect] {
        do {
            let number = try ReceiptNumber(parsing: input)
            go(.progressCode, context)
            progressNumber = number
            return []
        } catch {
            progressProblem = error == .checkCharacter ? .checkCharacter : .format
            return []
        }
    }

    /// The progress code: four digits, or none (then only whether the number exists).
    mutating func handleProgressCode(_ key: InputEvent, _ context: FrontContext) -> [FrontEffect] {
        switch key {
        case let .character(character) where character.isASCII && character.isNumber:
            if input.count < Self.progressCodeLength { input.append(character) }
            progressProblem = nil
        case .character:
            progressProblem = .codeFormat
        case .backspace:
            if input.isEmpty { backToNumber(context) } else { input.removeLast() }
            progressProblem = nil
        case .enter, .tab:
            return lookUpWithCode(context)
        case .escape:
            backToNumber(context)
        default:
            break
        }
        return []
    }

    mutating func lookUpWithCode(_ context: FrontContext) -> [FrontEffect] {
        guard let number = progressNumber else { go(.progressEntry, context); return [] }
        if !input.isEmpty, input.count != Self.progressCodeLength {
            progressProblem = .codeFormat
            return []
        }
        guard typedLookUps < Self.lookUpsPerSession else {
            progressProblem = .sessionLimit
            return []
        }
        typedLookUps += 1
        return [.lookUpProgress(number, input.isEmpty ? .none : .code(input))]
    }

    /// From the code back to the number, as typed.
    mutating func backToNumber(_ context: FrontContext) {
        let typed = progressNumber?.description ?? ""
        go(.progressEntry, context)
        input = typed
    }

    /// A scanned receipt opens its progress from any screen; a request being
    /// filled in waits, untouched, until the resident goes back to it.
    mutating func scanned(_ number: ReceiptNumber?, _ context: FrontContext) -> [FrontEffect] {
        var effects: [FrontEffect] = []
        switch step {
        case .submitting:
            return []
        case .receipt, .declined, .submitFailed:
            // The last session's screen goes, as after any key there.
            self = wiped(language: language)
            effects.append(.wipeScreen)
        case .welcome, .consultProgrammes, .consultServices, .consultService:
            resumeStep = nil
        case .progress, .progressEntry, .progressCode:
            break
        default:
            if resumeStep == nil { resumeStep = step }
        }
        showingEmergency = false
        go(.progressEntry, context)
        guard let number else {
            progressProblem = .notThisKiosk
            return effects
        }
        input = number.description
        progressNumber = number
        return effects + [.lookUpProgress(number, .scanned)]
    }

    /// What the kiosk found, shown if the resident is still waiting for it.
    mutating func progressAnswered(_ answer: ProgressAnswer) -> [FrontEffect] {
        guard step == .progressEntry || step == .progressCode else { return [] }
        switch answer {
        case let .details(found):
            progress = found
            progressExists = nil
            step = .progress
        case let .exists(exists):
            progress = nil
            progressExists = exists
            step = .progress
        case .wrongCode:
            progressProblem = .wrongCode
            input = ""
        case let .tooMany(seconds):
            progressProblem = .tooMany(seconds: seconds)
        }
        return []
    }

    /// Back from progress: to the request a scan interrupted, or to welcome.
    mutating func leaveProgress(_ context: FrontContext) -> [FrontEffect] {
        progress = nil
        progressExists = nil
        progressNumber = nil
        let resume = resumeStep ?? .welcome
        resumeStep = nil
        go(resume, context)
        return []
    }
}
