import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// Counters through swift-metrics, kept in a Prometheus registry and written
/// by each service as `<role>.prom` into the metrics folder, where
/// `kioskctl metrics` joins them to the health it reads from the database
/// (the node_exporter textfile collector then picks the whole up).
///
/// A file, not a listening port: a kiosk opens no port, and a technician's
/// command needs no key to read counts.
/// `@unchecked Sendable`: the timer is set up in `init` and cancelled in
/// `deinit` only; the rest is behind locks.
public final class MetricsExport: @unchecked Sendable {
    public let file: URL
    let registry: PrometheusCollectorRegistry
    private let lastWritten = Mutex<[UInt8]?>(nil)
    private let failing = Mutex(false)
    private let report: @Sendable (String) -> Void
    private let timer: DispatchSourceTimer

    /// Bootstraps swift-metrics for this process (once) and starts writing
    /// `<folder>/<role>.prom` every `interval` when it changed. A folder it
    /// cannot write is reported (once until it works again), never fatal:
    /// a kiosk without its counts still takes requests.
    public static func start(role: String, folder: URL, interval: Duration = .seconds(10),
                             report: @escaping @Sendable (String) -> Void) -> MetricsExport {
        let registry = ProcessMetrics.bootstrap()
        return MetricsExport(registry: registry, file: folder.appendingPathComponent("\(role).prom"),
                             interval: interval, report: report)
    }

    init(registry: PrometheusCollectorRegistry, file: URL, interval: Duration,
         report: @escaping @Sendable (String) -> Void) {
        self.registry = registry
        self.file = file
        self.report = report
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "metrics-file"))
        timer.schedule(deadline: .now(), repeating: .milliseconds(Int(interval.components.seconds * 1000)),
                       leeway: .seconds(1))
        timer.setEventHandler { [weak self] in self?.write() }
        timer.resume()
    }

    /// Writes now if anything changed (at a clean stop, so the last counts
    /// are not lost with the process).
    public func flush() { write() }

    private func write() {
        let text = registry.emitToBuffer()
        let changed = lastWritten.withLock { last in
            defer { last = text }
            return last != text
        }
        guard changed else { return }
        // Write beside, then rename: a reader sees the old file or the new one, never half.
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try MetricsFile.replace(file, with: Data(text))
            failing.withLock { $0 = false }
        } catch {
            lastWritten.withLock { $0 = nil }
            let first = failing.withLock { was in defer { was = true }; return !was }
            if first { report("cannot write metrics to \(file.path): \(error.localizedDescription)") }
        }
    }

    deinit { timer.cancel() }
}

/// This process's counters: swift-metrics bootstrapped once onto one
/// Prometheus registry (a service's file, the centre's `/metrics`).
public enum ProcessMetrics {
    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry swift-metrics counts into; bootstraps on first use.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        bootstrapped.withLock { current in
            if let current { return current }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(CataloguedPrometheusFactory(registry: registry))
            current = registry
            return registry
        }
    }

    /// What has been counted so far as Prometheus text; empty before bootstrap
    /// (tests that run a centre in process count nothing).
    public static func exposition() -> String {
        bootstrapped.withLock { $0?.emitToString() } ?? ""
    }
}

/// Writing a metrics file so that a reader never sees it half written.
public enum MetricsFile {
    public static func replace(_ file: URL, with data: Data, mode: Int = 0o644) throws {
        let temporary = file.deletingLastPathComponent()
            .appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data,
                                             attributes: [.posixPermissions: mode]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        if rename(temporary.path, file.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path,
                                                           NSLocalizedDescriptionKey: reason])
        }
    }
}

/// swift-prometheus's factory, with each series' help text from the
/// catalogue (Prometheus's linter wants one; the stock factory gives none).
struct CataloguedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: KioskMetric(rawValue: label)?.help ?? label)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = KioskMetric(rawValue: label)?.durationBuckets ?? KioskMetric.submitDuration.durationBuckets
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
