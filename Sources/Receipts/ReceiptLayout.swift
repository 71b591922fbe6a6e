import Foundation
import KioskConfig

/// How a receipt is laid out, from `assets/receipt-layout.yaml`.
public struct ReceiptLayout: Sendable {
    public struct Style: Sendable, Hashable {
        public var size: Double
        public var bold: Bool?

        public init(size: Double, bold: Bool? = nil) {
            self.size = size
            self.bold = bold
        }
    }

    public struct QRSettings: Sendable {
        public var maxWidthMM: Double
        public var minModuleMM: Double
        public var quietZoneModules: Int

        public init(maxWidthMM: Double, minModuleMM: Double, quietZoneModules: Int) {
            self.maxWidthMM = maxWidthMM
            self.minModuleMM = minModuleMM
            self.quietZoneModules = quietZoneModules
        }
    }

    public enum BlockKind: String, Sendable, CaseIterable {
        case centreName = "centre_name", title, copyMarker = "copy_marker"
        case receiptNumberLabel = "receipt_number_label", receiptNumber = "receipt_number"
        case issuedAt = "issued_at", request, qr, qrHint = "qr_hint", nextSteps = "next_steps"
        case hotlines, centreAddress = "centre_address", hardship, contact, rule, testNotice = "test_notice"
        case noCall = "no_call", progressHint = "progress_hint", progressCode = "progress_code"
    }

    public struct Entry: Sendable {
        public var block: BlockKind
        public var style: String?
    }

    public var printableWidthMM: [Int: Double]
    public var marginTopMM: Double
    public var marginBottomMM: Double
    public var blockSpacingMM: Double
    public var qr: QRSettings
    public var styles: [String: Style]
    public var residentCopy: [Entry]
    public var centreCopy: [Entry]
    public var testPage: [Entry]

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads and checks a layout file; the message names the file, the line and the problem.
    public static func load(from url: URL) throws(LoadError) -> ReceiptLayout {
        let log = ProblemLog()
        guard let root = ConfigurationLoader.readFiles([url.lastPathComponent], in: url.deletingLastPathComponent(),
                                                       log: log)[url.lastPathComponent],
              let layout = read(root)
        else {
            let problems = log.problems.isEmpty ? ["\(url.path): not a receipt layout"] : log.problems.map(\.description)
            throw LoadError(description: problems.joined(separator: "\n"))
        }
        for entries in [layout.residentCopy, layout.centreCopy, layout.testPage] {
            for entry in entries where entry.block != .rule && entry.block != .qr {
                guard let style = entry.style, layout.styles[style] != nil else {
                    throw LoadError(description: "\(url.path): block \(entry.block.rawValue) names no known style")
                }
            }
        }
        guard layout.printableWidthMM[58] != nil, layout.printableWidthMM[80] != nil, layout.qr.minModuleMM >= 0.5,
              layout.qr.quietZoneModules >= 4
        else {
            throw LoadError(description: "\(url.path): needs printable widths for 58 and 80 mm, modules of at least 0.5 mm and a quiet zone of at least 4 modules")
        }
        return layout
    }

    /// The layout's fields, each problem logged where it is.
    static func read(_ root: YAMLNode) -> ReceiptLayout? {
        let keys: Set<String> = ["printable_width_mm", "margin_top_mm", "margin_bottom_mm", "block_spacing_mm", "qr",
                                 "styles", "resident_copy", "centre_copy", "test_page"]
        guard let top = root.mapping("receipt layout", keys: keys) else { return nil }
        var widths: [Int: Double] = [:]
        for (key, line, value) in top.required("printable_width_mm")?.entries("printable_width_mm") ?? [] {
            guard let roll = Int(key) else {
                root.log.add(root.file, line, "printable_width_mm: '\(key)' is not a roll width in mm")
                continue
            }
            widths[roll] = value.number("printable_width_mm.\(key)", in: 10...200)
        }
        let qr = top.required("qr")?.mapping("qr", keys: ["max_width_mm", "min_module_mm", "quiet_zone_modules"])
        let maxWidth = qr?.required("max_width_mm")?.number("qr.max_width_mm", in: 5...200)
        let minModule = qr?.required("min_module_mm")?.number("qr.min_module_mm", in: 0.1...5)
        let quietZone = qr?.required("quiet_zone_modules")?.int("qr.quiet_zone_modules", in: 0...20)
        var styles: [String: Style] = [:]
        for (name, _, value) in top.required("styles")?.entries("styles") ?? [] {
            guard let style = value.mapping("styles.\(name)", keys: ["size", "bold"]),
                  let size = style.required("size")?.number("styles.\(name).size", in: 4...40) else { continue }
            styles[name] = Style(size: size, bold: style.optional("bold")?.bool("styles.\(name).bold"))
        }
        func entries(_ key: String) -> [Entry]? {
            top.required(key)?.sequence(key)?.compactMap { item in
                guard let entry = item.mapping(key, keys: ["block", "style"]),
                      let name = entry.required("block")?.string("\(key).block") else { return nil }
                guard let block = BlockKind(rawValue: name) else {
                    item.problem("\(key): unknown block '\(name)' (one of: \(BlockKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                    return nil
                }
                return Entry(block: block, style: entry.optional("style")?.string("\(key).style"))
            }
        }
        guard let marginTop = top.required("margin_top_mm")?.number("margin_top_mm", in: 0...50),
              let marginBottom = top.required("margin_bottom_mm")?.number("margin_bottom_mm", in: 0...50),
              let spacing = top.required("block_spacing_mm")?.number("block_spacing_mm", in: 0...20),
              let maxWidth, let minModule, let quietZone,
              let resident = entries("resident_copy"), let centre = entries("centre_copy"),
              let test = entries("test_page")
        else { return nil }
        return ReceiptLayout(printableWidthMM: widths, marginTopMM: marginTop, marginBottomMM: marginBottom,
                             blockSpacingMM: spacing,
                             qr: QRSettings(maxWidthMM: maxWidth, minModuleMM: minModule, quietZoneModules: quietZone),
                             styles: styles, residentCopy: resident, centreCopy: centre, testPage: test)
    }
}
