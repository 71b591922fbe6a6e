import Metrics

/// Every series a kiosk's services count, with the help text Prometheus
/// shows. Counts and durations only: never a receipt number, a name or
/// anything a resident typed, and no label that could single a resident out
/// (no hardship level: on a quiet kiosk it would date one person's request).
public enum KioskMetric: String, CaseIterable, Sendable {
    // The front (kioskd front).
    case sessionsStarted = "kiosk_front_sessions_started_total"
    case sessionsCompleted = "kiosk_front_sessions_completed_total"
    case sessionsWipedIdle = "kiosk_front_sessions_wiped_idle_total"
    case submissions = "kiosk_submissions_total"
    case submissionsFailed = "kiosk_submissions_failed_total"
    case submitDuration = "kiosk_submit_duration_seconds"
    case printJobs = "kiosk_print_jobs_total"
    // The forwarder (kioskd forwarder).
    case forwardRequests = "kiosk_forward_requests_total"
    case forwardPosts = "kiosk_forward_posts_total"
    case forwardDuration = "kiosk_forward_duration_seconds"
    case requestsDead = "kiosk_requests_dead_total"
    // The centre (kiosk-center serve).
    case centreIntakeRequests = "kiosk_center_intake_requests_total"
    case centreResponses = "kiosk_center_http_responses_total"
    case centreResponseDuration = "kiosk_center_http_duration_seconds"

    public var help: String {
        switch self {
        case .sessionsStarted: "Resident sessions started on the screen (since the front started)."
        case .sessionsCompleted: "Sessions that ended with a stored request and a receipt number."
        case .sessionsWipedIdle: "Sessions wiped because the resident left them idle."
        case .submissions: "Requests stored in the kiosk's queue."
        case .submissionsFailed: "Requests the front could not store (the resident was told)."
        case .submitDuration: "Time to validate, seal and durably store one request."
        case .printJobs: "Print jobs finished, by outcome (completed, failed, aborted, canceled)."
        case .forwardRequests: "Requests answered by the centre or given up for now, by outcome (forwarded, refused, retry)."
        case .forwardPosts: "Signed POSTs to the centre, by endpoint (submission, batch, heartbeat, progress)."
        case .forwardDuration: "Time of one POST to the centre, by endpoint, answer or failure included."
        case .requestsDead: "Requests the centre refused: set aside for a technician (kioskctl queue dead)."
        case .centreIntakeRequests: "Requests from kiosks, by outcome (created, duplicate, conflict, invalid, unavailable)."
        case .centreResponses: "HTTP answers, by listener (intake, console), route kind and status code."
        case .centreResponseDuration: "Time to answer one HTTP request, by listener and route kind."
        }
    }

    /// Buckets for the two durations: a kiosk's store commit is milliseconds,
    /// a POST over a district network up to the HTTP timeout.
    var durationBuckets: [Duration] {
        [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
         .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]
    }
}

extension KioskMetric {
    /// The swift-metrics counter for this series (a no-op until a service
    /// bootstraps `MetricsExport`, as in tests and tools).
    public func counter(_ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: rawValue, dimensions: dimensions)
    }

    public func timer(_ dimensions: [(String, String)] = []) -> Metrics.Timer {
        Metrics.Timer(label: rawValue, dimensions: dimensions, preferredDisplayUnit: .seconds)
    }
}
