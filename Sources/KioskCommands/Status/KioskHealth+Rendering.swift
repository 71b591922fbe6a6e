import CupsPrinting
import Foundation

extension KioskHealth {
    /// The status for a technician's terminal: one line per part, then the problems.
    public func text() -> String {
        var lines = ["kiosk \(kiosk): \(overall.rawValue) (kioskctl \(version))"]
        func ago(_ date: Date?) -> String {
            guard let date else { return "never" }
            return Self.duration(checkedAt.timeIntervalSince(date)) + " ago"
        }
        for name in ["front", "forwarder"] {
            guard let role = roles[name] else { continue }
            var parts = [role.up ? "up" : "down (\(role.state))", "heartbeat \(ago(role.lastSeen))"]
            if let pid = role.pid { parts.append("pid \(pid)") }
            if let version = role.version { parts.append("version \(version)") }
            lines.append(Self.row(name, parts.joined(separator: " · ")))
        }
        var queueParts = ["\(queue.queued) queued", "\(queue.sending) sending", "\(queue.dead) dead",
                          "\(queue.forwarded) forwarded"]
        if let oldest = queue.oldestPendingSeconds { queueParts.append("oldest waiting \(Self.duration(Double(oldest)))") }
        if let red = queue.oldestRedPendingSeconds { queueParts.append("oldest red \(Self.duration(Double(red)))") }
        lines.append(Self.row("queue", queueParts.joined(separator: " · ")))
        lines.append(Self.row("last forward", ago(lastForward)))
        lines.append(Self.row("centre", "\(centre.state) (checked \(ago(centre.checkedAt)))"))
        let reasons = printer.reasons.isEmpty ? "" : " [\(printer.reasons.joined(separator: ", "))]"
        lines.append(Self.row("printer", "\(printer.state)\(reasons) on queue \(printer.queue) (checked \(ago(printer.checkedAt)))"))
        lines.append(Self.row("screen", "last render \(ago(lastScreenRender))"))
        if let disk {
            lines.append(Self.row("disk", "\(Self.bytes(disk.freeBytes)) free of \(Self.bytes(disk.totalBytes))"))
        }
        if !problems.isEmpty {
            lines.append("problems:")
            lines += problems.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// JSON as every `--json` writes it (snake_case, nulls), for monitoring.
    public func json() throws -> String {
        try JSONOutput.string(self, pretty: true)
    }

    /// Prometheus text exposition (version 0.0.4): counts, states and times only.
    public func prometheus() -> String {
        var out = ""
        func metric(_ name: String, _ help: String, _ samples: [(String, Double)], type: String = "gauge") {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.number(value))\n"
            }
        }
        func label(_ pairs: (String, String)...) -> String {
            pairs.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",")
        }
        metric("kiosk_info", "The kiosk and the kioskctl version.",
               [(label(("kiosk", kiosk), ("version", version)), 1)])
        metric("kiosk_health", "Overall health: 0 ok, 1 degraded, 2 down (as kioskctl status exits).",
               [("", Double(overall.exitCode))])
        metric("kiosk_role_up", "Whether a role's heartbeat is fresh and its process runs.",
               roles.keys.sorted().map { (label(("role", $0)), roles[$0]!.up ? 1 : 0) })
        metric("kiosk_role_heartbeat_age_seconds", "Seconds since a role's last heartbeat.",
               roles.keys.sorted().compactMap { name in
                   roles[name]!.ageSeconds.map { (label(("role", name)), Double($0)) }
               })
        metric("kiosk_queue_requests", "Requests in the kiosk's queue by state.",
               [("queued", queue.queued), ("sending", queue.sending), ("dead", queue.dead),
                ("forwarded", queue.forwarded)].map { (label(("state", $0.0)), Double($0.1)) })
        metric("kiosk_queue_oldest_pending_seconds", "Age of the oldest request not yet at the centre (0 if none).",
               [("", Double(queue.oldestPendingSeconds ?? 0))])
        metric("kiosk_queue_oldest_red_pending_seconds", "Age of the oldest red request not yet at the centre (0 if none).",
               [("", Double(queue.oldestRedPendingSeconds ?? 0))])
        if let lastForward {
            metric("kiosk_last_forward_timestamp_seconds", "When a request last reached the centre.",
                   [("", lastForward.timeIntervalSince1970.rounded())])
        }
        // One series per state, 1 for the current one: an alert matches a
        // state by label, and a state no longer current drops to 0 rather than
        // vanishing. "unknown" (never checked) is not "unreachable".
        // "answered 401" and the like: the centre is there but refuses this kiosk.
        let centreState = centre.state.hasPrefix("answered") ? "refusing" : centre.state
        metric("kiosk_centre_state", "How the centre took the last heartbeat (1 for the current state, 0 for the others).",
               Self.centreStates.map { (label(("state", $0)), centreState == $0 ? 1 : 0) })
        metric("kiosk_printer_ready", "Whether the receipt printer can print now.",
               [("", ["ready", "printing"].contains(printer.state) ? 1 : 0)])
        let printerStates = Self.printerStates.contains(printer.state) ? Self.printerStates
            : Self.printerStates + [printer.state]
        metric("kiosk_printer_state", "The receipt printer's state (1 for the current one, 0 for the others).",
               printerStates.map { (label(("queue", printer.queue), ("state", $0)), printer.state == $0 ? 1 : 0) })
        metric("kiosk_print_jobs", "Print jobs kept by state.",
               printJobs.keys.sorted().map { (label(("state", $0)), Double(printJobs[$0]!)) })
        if let lastScreenRender {
            metric("kiosk_last_screen_render_timestamp_seconds", "When the front last drew its screen.",
                   [("", lastScreenRender.timeIntervalSince1970.rounded())])
        }
        if let disk {
            metric("kiosk_disk_free_bytes", "Free bytes on the state folder's file system.",
                   [("", Double(disk.freeBytes))])
            metric("kiosk_disk_size_bytes", "Size of the state folder's file system.",
                   [("", Double(disk.totalBytes))])
        }
        return out
    }

    /// What the forwarder records after each heartbeat; unknown until the first.
    static let centreStates = ["reachable", "refusing", "unreachable", "unknown"]
    /// CUPS's conditions as the front records them, and unknown before it has.
    static let printerStates = PrinterStatus.Condition.allCases.map(\.rawValue) + ["unknown"]

    /// What `kioskctl metrics` says when it cannot read the kiosk at all.
    static func downMetrics() -> String {
        """
        # HELP kiosk_health Overall health: 0 ok, 1 degraded, 2 down (as kioskctl status exits).
        # TYPE kiosk_health gauge
        kiosk_health 2

        """
    }

    static func row(_ name: String, _ value: String) -> String {
        name.padding(toLength: 13, withPad: " ", startingAt: 0) + value
    }

    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        switch s {
        case ..<120: return "\(s) s"
        case ..<7200: return "\(s / 60) min"
        case ..<172_800: return "\(s / 3600) h"
        default: return "\(s / 86400) days"
        }
    }

    static func bytes(_ count: Int64) -> String {
        count >= 1 << 30 ? String(format: "%.1f GiB", Double(count) / Double(1 << 30)) : "\(count >> 20) MiB"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Label values escape backslash, quote and newline (the exposition format's rule).
    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
