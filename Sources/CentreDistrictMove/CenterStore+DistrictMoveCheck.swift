// SHA256 for the comparison's digests; SymmetricKey is not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import CentreStore
import Foundation
import StorageSupport

/// The check after a move: the street centre's requests, cases and
/// timelines are all in the district's database, as they were.
public struct DistrictMoveCheck: Sendable, Equatable {
    public var requests: Int
    public var held: Int
    public var events: Int
    public var eventsHeld: Int
    /// SHA-256 over every request's fields, its case, its opened reasons and
    /// its timeline with opened notes, in each database, in the same order.
    public var digest: String
    public var digestHeld: String
    public var auditLines: Int
    public var auditLinesCopied: Int

    public var agrees: Bool {
        requests == held && events == eventsHeld && digest == digestHeld && auditLines == auditLinesCopied
    }
}

extension CenterStore {
    /// Compares this centre's requests with the district's copies of them.
    public func compare(with district: CenterStore, source: String) async throws -> DistrictMoveCheck {
        let ours = try await canonicalRequests(ids: nil)
        let theirs = try await district.canonicalRequests(ids: Set(ours.lines.keys))
        let auditLines: Int = try await database.read { try await $0.fetchValue("SELECT COUNT(*) FROM audit_log") ?? 0 }
        let copied: Int = try await district.database.read {
            try await $0.fetchValue("SELECT audit_lines FROM district_imports WHERE source = ?", [source]) ?? 0
        }
        return DistrictMoveCheck(requests: ours.lines.count, held: theirs.lines.count, events: ours.events,
                                 eventsHeld: theirs.events, digest: Self.digest(ours.lines),
                                 digestHeld: Self.digest(theirs.lines),
                                 auditLines: auditLines, auditLinesCopied: copied)
    }

    /// One line per request (by submission id) with everything a move must
    /// keep: its fields, its case, its reasons and its timeline, opened. A
    /// reference is written as the id it names, so a renumbered case compares equal.
    private func canonicalRequests(ids: Set<String>?) async throws -> (lines: [String: String], events: Int) {
        try await database.read { db in
            var idOfReference: [String: String] = [:]
            for row in try await db.fetchAll("SELECT reference, id FROM submissions") { idOfReference[row["reference"]] = row["id"] }
            var timelines: [Int64: [String]] = [:]
            var events = 0
            for event in try await db.fetchAll("""
                SELECT e.*, s.id AS submission_id FROM case_events e JOIN submissions s ON s.seq = e.seq ORDER BY e.id
                """) {
                let id: String = event["submission_id"]
                guard ids?.contains(id) ?? true, let uuid = UUID(uuidString: id) else { continue }
                let note = try (event["sealed_note"] as Data?).map { String(decoding: try sealer.open($0, boundTo: uuid), as: UTF8.self) }
                let fields: [String?] = [String(event["at"] as Int64), event["actor"], event["action"], event["from_state"],
                                         event["to_state"], event["detail"], note]
                timelines[event["seq"], default: []].append(fields.map { $0 ?? "∅" }.joined(separator: "|"))
                events += 1
            }
            var lines: [String: String] = [:]
            for row in try await db.fetchAll("SELECT s.*, c.* FROM submissions s JOIN cases c ON c.seq = s.seq") {
                let id: String = row["id"]
                guard ids?.contains(id) ?? true, let uuid = UUID(uuidString: id) else { continue }
                let reasons = try (row["sealed_reasons"] as Data?).map { String(decoding: try sealer.open($0, boundTo: uuid), as: UTF8.self) }
                let body = row["sealed_body"] as Data
                let opened = body.isEmpty ? "erased" : SHA256.hash(data: try sealer.open(body, boundTo: uuid)).hexString
                let integers = ["created_at", "received_at", "priority", "due_at", "first_contact_at", "unanswered_attempts",
                                "closed_at", "erased_at"].map { (row[$0] as Int64?).map(String.init) }
                let texts: [String?] = ["body_digest", "kiosk_code", "receipt_number", "hardship", "programme", "service",
                                        "source", "street", "state", "assignee", "partner", "outcome"].map { row[$0] }
                let duplicateOf = (row["duplicate_of"] as String?).map { idOfReference[$0] ?? $0 }
                let fields = [id, opened, reasons, duplicateOf] + integers + texts
                lines[id] = fields.map { $0 ?? "∅" }.joined(separator: "|") + "#"
                    + (timelines[row["seq"]] ?? []).joined(separator: "#")
            }
            return (lines, events)
        }
    }

    private static func digest(_ lines: [String: String]) -> String {
        var hash = SHA256()
        for key in lines.keys.sorted() { hash.update(data: Data((lines[key]! + "\n").utf8)) }
        return hash.finalize().hexString
    }
}
