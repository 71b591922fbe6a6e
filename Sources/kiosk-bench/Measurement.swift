import Foundation

/// Times of one measured operation, in seconds.
struct Samples {
    private(set) var values: [Double] = []

    /// Seconds `body` took.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Seconds an async `body` took.
    static func timeAsync(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Records a time only once warm-up is over.
    mutating func record(_ seconds: Double, if measured: Bool) {
        if measured { values.append(seconds) }
    }

    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }

    var median: Double { percentile(0.5) }

    /// `name  median 1.234 ms  p10 …  p90 …  (n)`
    func line(_ name: String) -> String {
        func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }
        return "\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) median \(ms(median))  p10 \(ms(percentile(0.1)))  p90 \(ms(percentile(0.9)))  (n=\(values.count))"
    }
}

/// A scratch folder for one run, on the disk the kiosk state would use (the
/// current directory by default, not a tmpfs), removed afterwards.
func scratchFolder(_ base: String?, _ name: String) throws -> URL {
    let root = URL(fileURLWithPath: base ?? FileManager.default.currentDirectoryPath, isDirectory: true)
    let folder = root.appendingPathComponent(".kiosk-bench-\(name)-\(getpid())", isDirectory: true)
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
