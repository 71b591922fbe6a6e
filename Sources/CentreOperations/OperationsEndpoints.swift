import CentreStore
import CentreWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import KioskDomain
import KioskMetrics
import Logging
import NIOCore

/// What a monitoring system asks the centre: `GET /health` (on both
/// listeners; 200 only when the database answers) and `GET /metrics`
/// (Prometheus text, on the console's listener only: the kiosks' API carries
/// kiosks' traffic and nothing else). No personal data, no references, no key.
public enum OperationsEndpoints {
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    package static func addHealth<Context: RequestContext>(to router: Router<Context>, store: CenterStore, logger: Logger) {
        router.get("health") { _, _ in await health(store: store, logger: logger) }
        // A load balancer's HEAD: the same status, no body.
        router.head("health") { _, _ in
            let response = await health(store: store, logger: logger)
            return Response(status: response.status, headers: response.headers)
        }
    }

    /// `token`: when set (the credential `center-metrics.token`), a scrape
    /// must carry `Authorization: Bearer <token>`; the kiosks' health is the
    /// technicians' business, not whoever reaches the console's address.
    package static func addMetrics<Context: RequestContext>(to router: Router<Context>, store: CenterStore, logger: Logger,
                                                    token: String? = nil) {
        router.get("metrics") { request, _ in
            if let token {
                let given = request.headers[.authorization].map { String($0.drop(while: { $0 != " " }).dropFirst()) } ?? ""
                let scheme = request.headers[.authorization]?.lowercased().hasPrefix("bearer ") == true
                guard scheme, ConstantTime.equal(token, given.lowercased()) else {
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .cacheControl: "no-store"])
                }
            }
            var gauges: CentreGauges?
            var fleet: [CenterStore.FleetKiosk] = []
            do {
                gauges = try await store.gauges()
                fleet = try await store.fleet()
            } catch {
                // Still an answer Prometheus can read: the database is down.
                logger.error("metrics: cannot read the database", metadata: ["error": "\(error)"])
                gauges = nil
            }
            let text = exposition(gauges, databaseUp: gauges != nil) + fleetExposition(fleet) + ProcessMetrics.exposition()
            return Response(status: .ok, headers: [.contentType: prometheusContentType, .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// `{"status": "ok"|"down", "database": "ok"|"unreadable", "version": …}`.
    static func health(store: CenterStore, logger: Logger) async -> Response {
        struct Health: Encodable { var status: String; var database: String; var version: String }
        var healthy = true
        do { try await store.probe() } catch {
            healthy = false
            logger.error("health: the database does not answer", metadata: ["error": "\(error)"])
        }
        let body = Health(status: healthy ? "ok" : "down", database: healthy ? "ok" : "unreadable",
                          version: KioskVersion.current)
        let data = (try? JSONEncoder.sorted.encode(body)) ?? Data()
        return Response(status: healthy ? .ok : .serviceUnavailable,
                        headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The database's counts as gauges, each with its help and type.
    package static func exposition(_ gauges: CentreGauges?, databaseUp: Bool) -> String {
        var out = ""
        func metric(_ name: String, _ help: String, _ samples: [(String, Int)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (labels, value) in samples { out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(value)\n" }
        }
        metric("kiosk_center_info", "The centre's version.", [("version=\"\(KioskVersion.current)\"", 1)])
        metric("kiosk_center_database_up", "Whether the centre's database answered this scrape.", [("", databaseUp ? 1 : 0)])
        guard let gauges else { return out }
        metric("kiosk_center_open_cases", "Cases not yet closed, by state.",
               CaseState.allCases.filter(\.isOpen).map { ("state=\"\($0.rawValue)\"", gauges.openCases[$0] ?? 0) })
        metric("kiosk_center_overdue_cases", "Open cases past their first-contact deadline.", [("", gauges.overdueCases)])
        metric("kiosk_center_submissions", "Requests the centre holds (each once).", [("", gauges.submissions)])
        metric("kiosk_center_messages_pending", "Text messages to residents not yet settled, by state.",
               ["queued", "sending", "sent"].map { ("state=\"\($0)\"", gauges.pendingMessages[$0] ?? 0) })
        metric("kiosk_center_messages_failed_last_day", "Text messages that did not reach the resident in the last 24 hours.",
               [("", gauges.failedMessagesLastDay)])
        metric("kiosk_center_kiosks", "Kiosks by enrolment.",
               [("state=\"enrolled\"", gauges.kiosksEnrolled), ("state=\"revoked\"", gauges.kiosksRevoked)])
        // Alert on this (README): it grows while the gateway or the carrier delivers nothing.
        out += "# HELP kiosk_center_oldest_undelivered_message_seconds Age of the oldest text message not yet delivered.\n"
            + "# TYPE kiosk_center_oldest_undelivered_message_seconds gauge\n"
            + "kiosk_center_oldest_undelivered_message_seconds \(Int(gauges.oldestUndeliveredSeconds))\n"
        return out
    }

    /// Each enrolled kiosk's health from its latest heartbeat, labelled by
    /// kiosk and street, for alerts that page a technician (docs/alerts.yaml).
    /// A kiosk never heard has `kiosk_up` and `kiosk_health` only.
    package static func fleetExposition(_ fleet: [CenterStore.FleetKiosk]) -> String {
        var out = ""
        // Each kiosk's labels, escaped once for all its series.
        let labels = fleet.map { "{kiosk=\"\(labelValue($0.code))\",street=\"\(labelValue($0.street ?? ""))\"} " }
        func metric(_ name: String, _ help: String, _ value: (CenterStore.FleetKiosk) -> Double?) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (index, kiosk) in fleet.enumerated() {
                guard let value = value(kiosk) else { continue }
                out += name + labels[index] + (value == value.rounded() ? String(Int64(value)) : String(value)) + "\n"
            }
        }
        let heard = { (kiosk: CenterStore.FleetKiosk) in kiosk.heartbeat }
        metric("kiosk_up", "1 while the kiosk is heard and not down.") { [.ok, .degraded].contains($0.health) ? 1 : 0 }
        metric("kiosk_health", "The fleet page's health: 0 ok, 1 degraded, 2 down, 3 silent.") {
            switch $0.health { case .ok: 0; case .degraded: 1; case .down: 2; case .silent: 3 }
        }
        metric("kiosk_last_heartbeat_timestamp_seconds", "When the centre last heard the kiosk (Unix time).") {
            $0.lastHeard.map { ($0.timeIntervalSince1970 * 1000).rounded() / 1000 }
        }
        metric("kiosk_queue_depth", "Requests waiting on the kiosk to reach the centre, at its last heartbeat.") {
            heard($0).map { Double($0.queueDepth) }
        }
        metric("kiosk_oldest_pending_seconds", "Age of the kiosk's oldest waiting request at its last heartbeat (0 if none).") {
            heard($0).map { Double($0.oldestPendingSeconds ?? 0) }
        }
        metric("kiosk_dead_requests", "Requests the kiosk set aside as dead, at its last heartbeat.") {
            heard($0).map { Double($0.deadCount) }
        }
        metric("kiosk_printer_ready", "1 when the kiosk's printer was ready or printing at its last heartbeat.") {
            $0.printerReady.map { $0 ? 1 : 0 }
        }
        metric("kiosk_printer_paper_out", "1 when the kiosk's printer reported no paper at its last heartbeat.") { kiosk in
            heard(kiosk).map { _ in kiosk.problems.contains(.paperOut) ? 1 : 0 }
        }
        metric("kiosk_clock_offset_seconds", "The kiosk's clock minus the centre's at its last heartbeat.") {
            $0.clockOffsetSeconds.map(Double.init)
        }
        metric("kiosk_clock_refused", "1 when the kiosk's latest requests were refused for its clock.") { kiosk in
            kiosk.problems.contains { if case .clockRefused = $0 { true } else { false } } ? 1 : 0
        }
        // Per street, not per kiosk: a kiosk's red request is a resident in crisis who just stood there.
        var streets: [String: Int] = [:]
        for kiosk in fleet {
            let street = kiosk.street ?? ""
            streets[street] = max(streets[street] ?? 0, kiosk.heartbeat?.health?.oldestRedPendingSeconds ?? 0)
        }
        out += "# HELP kiosk_street_oldest_red_pending_seconds Age of the oldest red request waiting on any of the street's kiosks at their last heartbeats (0 if none).\n"
        out += "# TYPE kiosk_street_oldest_red_pending_seconds gauge\n"
        for (street, seconds) in streets.sorted(by: { $0.key < $1.key }) {
            out += "kiosk_street_oldest_red_pending_seconds{street=\"\(labelValue(street))\"} \(seconds)\n"
        }
        return out
    }

    /// A label value as the exposition format wants it escaped.
    static func labelValue(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Counts and times every answer by listener, route and status: route as
/// registered (`/api/v1/kiosks/{code}/heartbeat`), so no kiosk code, case
/// reference or typed path becomes a label.
public struct ResponseMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let listener: String

    public init(listener: String) { self.listener = listener }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(context, status: response.status.code, since: started)
            return response
        } catch let error as HTTPResponseError {
            record(context, status: error.status.code, since: started)
            throw error
        } catch {
            record(context, status: 500, since: started)
            throw error
        }
    }

    private func record(_ context: Context, status: Int, since started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        KioskMetric.centreResponses.counter([("listener", listener), ("route", route), ("code", String(status))])
            .increment()
        KioskMetric.centreResponseDuration.timer([("listener", listener), ("route", route)])
            .record(duration: ContinuousClock.now - started)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// A method a path does not take is answered 405 with the methods it does
/// (`Allow`), not 404: a client learns it has the right path. TRACE is
/// refused everywhere (it would echo a request's headers back).
public struct AllowedMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A route's path, `:name` for a parameter, and the methods it takes.
    public struct Route: Sendable {
        let segments: [Substring]
        let methods: [HTTPRequest.Method]

        public init(_ path: String, _ methods: [HTTPRequest.Method]) {
            segments = path.split(separator: "/")
            self.methods = methods.contains(.get) && !methods.contains(.head) ? methods + [.head] : methods
        }

        func matches(_ path: String) -> Bool {
            let parts = path.split(separator: "/")
            return parts.count == segments.count
                && zip(parts, segments).allSatisfy { part, segment in segment.hasPrefix(":") || part == segment }
        }
    }

    let routes: [Route]

    public init(routes: [Route]) { self.routes = routes }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let allowed = routes.filter { $0.matches(path) }.flatMap(\.methods)
        if request.method == .trace || (!allowed.isEmpty && !allowed.contains(request.method)) {
            let allow = allowed.isEmpty ? "GET, HEAD, POST" : allowed.map(\.rawValue).joined(separator: ", ")
            let body = #"{"status":405,"title":"Method not allowed","type":"about:blank"}"#
            return Response(status: .methodNotAllowed,
                            headers: [.allow: allow, .contentType: "application/problem+json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return try await next(request, context)
    }
}
