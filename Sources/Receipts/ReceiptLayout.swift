import Foundation
import Yams

/// How a receipt is laid out, from `assets/receipt-layout.yaml`.
public struct ReceiptLayout: Sendable, Decodable {
    public struct Style: Sendable, Decodable, Hashable {
        public var size: Double
        public var bold: Bool?
    }

    public struct QRSettings: Sendable, Decodable {
        public var maxWidthMM: Double
        public var minModuleMM: Double
        public var quietZoneModules: Int

        enum CodingKeys: String, CodingKey {
            case maxWidthMM = "max_width_mm", minModuleMM = "min_module_mm", quietZoneModules = "quiet_zone_modules"
        }
    }

    public enum BlockKind: String, Sendable, Decodable {
        case centreName = "centre_name", title, copyMarker = "copy_marker"
        case receiptNumberLabel = "receipt_number_label", receiptNumber = "receipt_number"
        case issuedAt = "issued_at", request, qr, qrHint = "qr_hint", nextSteps = "next_steps"
        case hotlines, centreAddress = "centre_address", hardship, contact, rule, testNotice = "test_notice"
        case noCall = "no_call", progressHint = "progress_hint"
    }

    public struct Entry: Sendable, Decodable {
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

    enum CodingKeys: String, CodingKey {
        case printableWidthMM = "printable_width_mm", marginTopMM = "margin_top_mm"
        case marginBottomMM = "margin_bottom_mm", blockSpacingMM = "block_spacing_mm", qr, styles
        case residentCopy = "resident_copy", centreCopy = "centre_copy", testPage = "test_page"
    }

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads and checks a layout file; the message names the file and the problem.
    public static func load(from url: URL) throws(LoadError) -> ReceiptLayout {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw LoadError(description: "\(url.path): cannot read the receipt layout")
        }
        let layout: ReceiptLayout
        do {
            layout = try YAMLDecoder().decode(ReceiptLayout.self, from: data)
        } catch {
            throw LoadError(description: "\(url.path): \(error)")
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
}
