import Foundation
import KioskDomain
import Testing
@testable import KioskFront

/// When the front counts a session started, completed or wiped idle.
@Suite struct SessionCountTests {
    let receipt = ReceiptInfo(submissionID: UUID(), number: try! ReceiptNumber(parsing: "JA0301-261129-0042-2"),
                              token: "t", qr: nil)

    @Test func leavingTheWelcomeScreenStartsASession() {
        #expect(SessionCount.changes(event: .input(.enter), before: .welcome, after: .programme, effects: []) == [.started])
        #expect(SessionCount.changes(event: .input(.enter), before: .programme, after: .service, effects: []).isEmpty)
        #expect(SessionCount.changes(event: .tick, before: .welcome, after: .welcome, effects: []).isEmpty)
    }

    @Test func aStoredRequestCompletesIt() {
        #expect(SessionCount.changes(event: .submitted(receipt), before: .submitting, after: .receipt, effects: [])
                == [.completed])
        // A late answer after the screen moved on counts nothing.
        #expect(SessionCount.changes(event: .submitted(receipt), before: .welcome, after: .welcome, effects: []).isEmpty)
    }

    @Test func onlyTheClockWipesAnIdleSession() {
        #expect(SessionCount.changes(event: .tick, before: .consent, after: .welcome, effects: [.wipeScreen])
                == [.wipedIdle])
        // The receipt and declined screens time out as the session's normal end.
        #expect(SessionCount.changes(event: .tick, before: .receipt, after: .welcome, effects: [.wipeScreen]).isEmpty)
        #expect(SessionCount.changes(event: .tick, before: .declined, after: .welcome, effects: [.wipeScreen]).isEmpty)
        // A key that ends the session from the receipt screen is not idleness.
        #expect(SessionCount.changes(event: .input(.enter), before: .receipt, after: .welcome, effects: [.wipeScreen])
                .isEmpty)
    }
}
