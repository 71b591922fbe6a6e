import CentreConfig
import CentreStore
import CentreWorkflow
import Foundation
import Hummingbird
import KioskDomain

/// The technicians' fleet view: every kiosk's health, worst first, and one
/// kiosk's page with its history. Counts and states only, so reading it is
/// not written to the access log. The page reloads itself every minute.
extension ConsoleController {
    func fleetPage(_ visit: Visit) async throws -> Response {
        let texts = visit.texts
        let street = chosenStreet(visit)
        let kiosks = try await store.fleet(street: street, now: visit.now)
        let data = frame(visit, title: texts[.fleetTitle])
        data["refresh"] = 60
        data["scope"] = street.map { config.streetName($0, visit.language) } ?? texts[.wholeDistrict]
        data["streetChoice"] = streetChoice(visit, chosen: street)
        data["counts"] = FleetHealth.allCases.map { health in
            TemplateValues(["health": health.rawValue, "word": texts.word(for: health),
                            "count": kiosks.filter { $0.health == health }.count])
        }
        data["rows"] = FleetRowsHTML.html(kiosks.map { kiosk in
            FleetRowsHTML.Row(
                code: kiosk.code, health: kiosk.health.rawValue, word: texts.word(for: kiosk.health),
                street: kiosk.street.map { config.streetName($0, visit.language) } ?? "", place: kiosk.place ?? "",
                problems: kiosk.problems.map { ($0.code, problemText($0, visit)) },
                since: kiosk.since.map { dateTime($0) },
                duration: kiosk.since.map { fleetSpan(visit.now.timeIntervalSince($0), texts) },
                version: kiosk.heartbeat?.version ?? "")
        })
        data["none"] = kiosks.isEmpty
        return html(views.render("fleet", data))
    }

    /// The head of a kiosk's page: who, where, how, since when, what is wrong.
    func kioskHead(_ kiosk: CenterStore.FleetKiosk, _ visit: Visit) -> TemplateValues {
        let texts = visit.texts
        return TemplateValues([
            "code": kiosk.code, "health": kiosk.health.rawValue, "word": texts.word(for: kiosk.health),
            "street": kiosk.street.map { config.streetName($0, visit.language) } ?? "",
            "place": kiosk.place ?? "",
            "hasProblems": !kiosk.problems.isEmpty,
            "problems": kiosk.problems.map { TemplateValues(["code": $0.code, "text": problemText($0, visit)]) },
            "since": kiosk.since.map { dateTime($0) },
            "for": kiosk.since.map { fleetSpan(visit.now.timeIntervalSince($0), texts) },
        ])
    }

    func kioskPage(_ visit: Visit) async throws -> Response {
        let texts = visit.texts
        let code = visit.parameters.get("code") ?? ""
        guard let kiosk = try await store.fleetKiosk(code, now: visit.now),
              visit.staff.street == nil || kiosk.street == visit.staff.street else {
            return message(visit, status: .notFound, title: texts[.notFound])
        }
        let data = frame(visit, title: texts.format("kiosk_title", kiosk.code))
        data["refresh"] = 60
        data["kiosk"] = kioskHead(kiosk, visit)
        let beat = kiosk.heartbeat
        let health = beat?.health
        var facts: [(String, String?)] = [
            ("version", beat?.version),
            ("last_heard", kiosk.lastHeard.map { dateTime($0) + (kiosk.clockOffsetSeconds.map { " · " + clockWords($0, texts) } ?? "") }),
            ("queue", beat.map { beat in
                texts.format("queue_facts", String(beat.queueDepth), beat.oldestPendingSeconds.map { span(Double($0), texts) } ?? "—",
                             health?.oldestRedPendingSeconds.map { span(Double($0), texts) } ?? "—", String(beat.deadCount))
            }),
            ("last_forward", health?.lastForward.map { dateTime($0) }),
            ("printer", beat?.printerState.map { state in
                ([state] + (health?.printerReasons ?? [])).joined(separator: " · ")
            }),
            ("screen", beat?.lastScreenRender.map { dateTime($0) }),
            ("disk", health?.diskFreeBytes.map { free in
                texts.format("disk_free", String(free >> 20), String((health?.diskTotalBytes ?? 0) >> 20))
            }),
            ("database_check", health?.databaseCheck),
        ]
        for (role, state) in (health?.roles ?? [:]).sorted(by: { $0.key < $1.key }) {
            facts.append(("role_\(role)", (state.up ? "✔ " : "✖ ") + state.state))
        }
        data["facts"] = facts.compactMap { key, value in
            value.map { TemplateValues(["name": texts[key] ?? key, "value": $0]) }
        }
        data["changes"] = try await store.kioskChanges(kiosk.code).map { change in
            TemplateValues(["at": dateTime(change.at), "health": change.health.rawValue,
                            "word": texts.word(for: change.health),
                            "problems": change.problems.map { problemText($0, visit) }.joined(separator: "；")])
        }
        data["reported"] = health?.problems
        data["hasReported"] = health?.problems.isEmpty == false
        // The last three days by the hour, hours starting on the hour.
        let days = 3
        let from = Date(timeIntervalSince1970: ((visit.now.timeIntervalSince1970 - Double(days * 86400)) / 3600).rounded(.down) * 3600)
        let history = try await store.kioskHistory(kiosk.code, since: from, bucket: 3600)
        data["chart"] = FleetChart.svg(history, from: from, hours: days * 24 + 1,
                                       title: texts.format("history_alt", kiosk.code, String(days)),
                                       notReady: texts[.printer] + " ✖",
                                       hourLabel: { LocalTime($0, config.timeZone) })
        data["historyEmpty"] = history.isEmpty
        return html(views.render("kiosk", data))
    }

    /// A problem in the member's language.
    func problemText(_ problem: FleetProblem, _ visit: Visit) -> String {
        let texts = visit.texts
        switch problem {
        case .neverHeard: return texts[.pNeverHeard]
        case let .silent(lastHeard): return texts.format("p_silent", fleetSpan(visit.now.timeIntervalSince(lastHeard), texts))
        case let .clockRefused(offset): return texts.format("p_clock_refused", clockWords(offset, texts))
        case let .clockDrifting(offset): return texts.format("p_clock_drifting", clockWords(offset, texts))
        case let .roleDown(role, state): return texts.format("p_role_down", texts["role_\(role)"] ?? role, state)
        case .databaseDamaged: return texts[.pDatabaseDamaged]
        case .paperOut: return texts[.pPaperOut]
        case let .printer(state, reasons):
            return texts.format("p_printer", ([state] + reasons).joined(separator: " · "))
        case let .deadRequests(count): return texts.format("p_dead_requests", String(count))
        case let .redWaiting(seconds): return texts.format("p_red_waiting", span(Double(seconds), texts))
        case let .oldestWaiting(seconds): return texts.format("p_oldest_waiting", span(Double(seconds), texts))
        case let .diskNearlyFull(free): return texts.format("p_disk_nearly_full", String(free >> 20))
        }
    }

    /// "3 h fast", "12 min slow"; under a minute, in seconds; a second or
    /// two (the heartbeat's own trip) is on time.
    func clockWords(_ offsetSeconds: Int, _ texts: [String: String]) -> String {
        // magnitude, not abs: abs(Int.min) traps, and the offset is the kiosk's word.
        guard offsetSeconds.magnitude > 2 else { return texts[.clockOk] }
        return texts.format(offsetSeconds >= 0 ? "clock_fast" : "clock_slow", fleetSpan(Double(offsetSeconds.magnitude), texts))
    }

    /// A span as `span` says it, in seconds under a minute (a kiosk falls
    /// silent after three intervals, often less than a minute).
    func fleetSpan(_ seconds: Double, _ texts: [String: String]) -> String {
        seconds < 60 ? texts.format("seconds", String(Int(max(0, seconds)))) : span(seconds, texts)
    }
}

/// A kiosk's last days drawn on the server as SVG: the highest queue depth
/// each hour as bars, and below them a band marking each hour in which a
/// heartbeat found the printer not ready (hatched, so it is not colour
/// alone); an hour without any heartbeat is left blank and said so.
enum FleetChart {
    static func svg(_ buckets: [CenterStore.FleetHistoryBucket], from start: Date, hours: Int, title: String,
                    notReady: String, hourLabel: (Date) -> LocalTime) -> String {
        let width = 720.0, height = 200.0, left = 36.0, bottom = 46.0, top = 10.0, band = 12.0
        let byHour = Dictionary(buckets.map { (Int($0.start.timeIntervalSince(start) / 3600), $0) }, uniquingKeysWith: { $1 })
        let peak = max(1, buckets.map(\.maxQueueDepth).max() ?? 1)
        let step = (width - left - 8) / Double(max(1, hours))
        let base = height - bottom
        let scale = (base - top) / Double(peak)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="\(HTML.escape(title))" class="chart"><title>\(HTML.escape(title))</title>
            <defs><pattern id="notready" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
            <rect width="6" height="6" fill="#fde8ea"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b10e1e" stroke-width="3"/>\
            </pattern></defs>

            """
        for tick in Set([0, peak / 2, peak]).sorted() {
            let y = base - Double(tick) * scale
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 8)\" y2=\"\(y)\" stroke=\"#bbb\" stroke-width=\"0.5\"/>"
            svg += "<text x=\"\(left - 4)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"10\">\(tick)</text>\n"
        }
        for hour in 0..<hours {
            let x = left + Double(hour) * step
            let local = hourLabel(start.addingTimeInterval(Double(hour) * 3600))
            if let bucket = byHour[hour] {
                let h = max(1, Double(bucket.maxQueueDepth) * scale)
                svg += "<rect x=\"\(x + 0.5)\" y=\"\(base - h)\" width=\"\(max(1, step - 1))\" height=\"\(h)\" fill=\"#1d4f91\">"
                svg += "<title>\(HTML.escape(local.day + " " + local.clock)): \(bucket.maxQueueDepth)</title></rect>"
                if bucket.printerNotReady > 0 {
                    svg += "<rect x=\"\(x)\" y=\"\(base + 4)\" width=\"\(step)\" height=\"\(band)\" fill=\"url(#notready)\">"
                    svg += "<title>\(HTML.escape(local.day + " " + local.clock + ": " + notReady))</title></rect>"
                }
            } else {
                svg += "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(step)\" height=\"\(base - top)\" fill=\"#f3f2f1\"/>"
            }
            if local.clock.hasPrefix("00:") {
                svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(base + band + 6)\" stroke=\"#505a5f\" stroke-width=\"0.8\"/>"
                svg += "<text x=\"\(x + 3)\" y=\"\(height - 12)\" font-size=\"10\">\(HTML.escape(local.day))</text>\n"
            }
        }
        svg += "<line x1=\"\(left)\" y1=\"\(base)\" x2=\"\(width - 8)\" y2=\"\(base)\" stroke=\"#0b0c0c\"/>"
        return svg + "</svg>"
    }
}
