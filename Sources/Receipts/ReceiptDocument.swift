import QRCode

/// A receipt ready to draw: the roll, the blocks top to bottom. Pure data:
/// the PDF renderer draws it, tests read it.
public struct ReceiptDocument: Sendable {
    public enum Block: Sendable, Hashable {
        /// Plain text, never markup: resident text is drawn as it is.
        case text(String, ReceiptLayout.Style)
        case qr(QRMatrix)
        case rule
    }

    public var rollWidthMM: Double
    public var printableWidthMM: Double
    public var marginTopMM: Double
    public var marginBottomMM: Double
    public var blockSpacingMM: Double
    public var qr: ReceiptLayout.QRSettings
    public var fontFamily: String
    public var blocks: [Block]
    /// The job title CUPS shows: the receipt number and the copy, nothing personal.
    public var title: String

    public init(rollWidthMM: Double, printableWidthMM: Double, marginTopMM: Double, marginBottomMM: Double,
                blockSpacingMM: Double, qr: ReceiptLayout.QRSettings, fontFamily: String, blocks: [Block], title: String) {
        self.rollWidthMM = rollWidthMM
        self.printableWidthMM = printableWidthMM
        self.marginTopMM = marginTopMM
        self.marginBottomMM = marginBottomMM
        self.blockSpacingMM = blockSpacingMM
        self.qr = qr
        self.fontFamily = fontFamily
        self.blocks = blocks
        self.title = title
    }

    /// All text of the document, one block a line (for tests and previews).
    public var plainText: String {
        blocks.compactMap { if case let .text(text, _) = $0 { text } else { nil } }.joined(separator: "\n")
    }
}
