import Foundation

/// A private Kannel (bearerbox, smsbox) with fakesmsc as the resident's
/// phone (`scripts/sms-lab`), for one test: the phone's screen read back
/// from its log, replies sent from it, the gateway paused and resumed.
public final class SMSLab {
    public let folder: URL
    public let sendURL: String
    public let password: String

    public init(replyURL: String, sendsmsPort: Int) throws {
        folder = try temporaryFolder("sms-lab")
        let started = try runToEnd([script, "start", folder.path, replyURL, String(sendsmsPort)])
        guard started.status == 0 else { throw SubprocessError(description: "sms-lab start: \(started.stderr)") }
        sendURL = "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms"
        password = try String(contentsOf: folder.appendingPathComponent("password"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit { _ = try? runToEnd([script, "stop", folder.path]) }

    let script = repositoryRoot.appendingPathComponent("scripts/sms-lab").path

    /// Every message the phone got, in order: (to, text), UCS-2 decoded.
    public func received() -> [(to: String, text: String)] {
        let log = (try? String(contentsOf: folder.appendingPathComponent("phone.log"), encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line -> (String, String)? in
            // "Got message 3: <10690000 13912345678 ucs-2 %4F%60…>"
            guard let open = line.range(of: ": <"), line.hasSuffix(">"), line.contains("Got message") else { return nil }
            let fields = line[open.upperBound..<line.index(before: line.endIndex)].split(separator: " ", maxSplits: 3)
            guard fields.count == 4 else { return nil }
            switch fields[2] {
            case "text": return (String(fields[1]), String(fields[3]))
            case "ucs-2", "data":
                let bytes = Self.percentDecoded(String(fields[3]))
                let text = fields[2] == "data" ? String(decoding: bytes, as: UTF8.self)
                    : String(decoding: stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) },
                             as: UTF16.self)
                return (String(fields[1]), text)
            default: return nil
            }
        }
    }

    static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let value = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(utf8[i] == UInt8(ascii: "+") ? UInt8(ascii: " ") : utf8[i])
                i += 1
            }
        }
        return bytes
    }

    /// The phone `from` sends `text` (Kannel's MO path to the centre's reply address).
    public func reply(from: String, _ text: String) throws {
        let run = try runToEnd([script, "reply", folder.path, from, text])
        guard run.status == 0 else { throw SubprocessError(description: "sms-lab reply: \(run.stderr)") }
    }

    /// The gateway's HTTP side stops (sends fail as if it were down), then comes back.
    public func pause() throws { _ = try runToEnd([script, "pause", folder.path]) }
    public func resume() throws {
        let run = try runToEnd([script, "resume", folder.path])
        guard run.status == 0 else { throw SubprocessError(description: "sms-lab resume: \(run.stderr)") }
    }
}

/// A loopback TCP port nothing listens on now (for a server whose address
/// another process must know before it starts).
public func freeTCPPort() throws -> Int {
    let run = try runToEnd(["/usr/bin/python3", "-c",
                            "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
    guard let port = Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw SubprocessError(description: "no free port: \(run.stderr)")
    }
    return port
}
