import Foundation
import KioskConfig
import KioskDomain
import QRCode
import TestSupport
@testable import KioskFront

let shippedConfiguration: KioskConfiguration = {
    try! ConfigurationLoader.load(from: repositoryRoot.appendingPathComponent("kiosk-config"))
}()

/// Drives the pure flow as the loop would, on a clock the test moves.
struct FlowDriver {
    var context = FrontContext(config: shippedConfiguration)
    let start = ContinuousClock.now
    var elapsed: Duration = .zero
    var state: FrontState
    var effects: [FrontEffect] = []
    /// Keys other than typed text, and each screen on the way (for the flow's length).
    var keysPressed = 0
    var screens: [Step] = [.welcome]

    init() {
        state = FrontState(now: start)
    }

    var now: ContinuousClock.Instant { start + elapsed }

    mutating func send(_ events: FrontEvent...) {
        for event in events {
            effects += state.update(event, at: now, context: context)
            if state.step != screens.last { screens.append(state.step) }
        }
    }

    mutating func keys(_ events: InputEvent...) {
        for event in events {
            keysPressed += 1
            send(.input(event))
        }
    }

    mutating func type(_ text: String) {
        for character in text { send(.input(.character(character))) }
    }

    mutating func wait(_ duration: Duration) {
        elapsed += duration
        send(.tick)
    }

    func screen(_ columns: Int = 80, _ rows: Int = 24) -> String {
        state.view(columns: columns, rows: rows, context: context).buffer.text
    }

    /// From welcome to the consent screen, calm answers throughout.
    mutating func toConsent() {
        keys(.enter, .character("3"), .character("1"))
        for _ in shippedConfiguration.assessment.questions { keys(.character("1")) }
    }

    /// From welcome to the first contact field, consent given.
    mutating func toContact() {
        toConsent()
        keys(.character("1"))
    }

    /// A whole valid request up to the review screen.
    mutating func toReview() {
        toContact()
        type("王小明"); keys(.enter)
        type("13800138000"); keys(.enter)
        keys(.character("1")) // yes to text messages
        keys(.enter) // no ID number
        keys(.character("1"), .character("2"))
        type("武定路1号"); keys(.enter)
        type("2"); keys(.enter)
        keys(.enter) // no description
    }
}

let sampleQR = try! QREncoder.encode("K1.JA0301-261129-0042-7.T4M2KW.AAAAAAAAAAAAAAAA")
