import Foundation
import TestSupport
import Testing

/// The intake API against `docs/intake-api.yaml`, by a generator in the
/// manner of schemathesis (`Tests/Browser/api_conformance.py`) that signs
/// as an enrolled kiosk: valid, mutated and random requests, broken
/// signatures and every method a path lacks. No 5xx; every answer's status,
/// type and body as documented.
@Suite(.serialized) struct APIConformanceTests {
    static let python = ProcessInfo.processInfo.environment["KIOSK_TEST_PYTHON"]

    @Test(.enabled(if: python != nil, "needs scripts/test's Python with jsonschema and openapi-spec-validator"))
    func everyAnswerIsOneTheDescriptionDocuments() async throws {
        let centre = try CenterProcess(state: try temporaryFolder("centre-conformance"))
        let secret = try centre.addKiosk("JA0301")
        let run = try runToEnd(
            [try #require(Self.python), repositoryRoot.appendingPathComponent("Tests/Browser/api_conformance.py").path],
            environment: ["INTAKE_URL": "http://127.0.0.1:\(centre.port)", "CONSOLE_URL": centre.consoleURL,
                          "KIOSK_CODE": "JA0301", "KIOSK_SECRET": secret,
                          "SPEC": repositoryRoot.appendingPathComponent("docs/intake-api.yaml").path,
                          "HOME": NSTemporaryDirectory()])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("api conformance passed"), "\(run.stdout)")
    }
}
