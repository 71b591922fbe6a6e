import CPangoCairo
import Foundation
import QRCode
import Receipts

/// Draws a receipt document as a one-page PDF with pango and cairo: the
/// roll's width, as tall as the content, text shaped by pango with the
/// configured CJK font, the QR code as vector squares.
///
/// This target alone owns pango and cairo pointers; each render creates and
/// frees its own, so renders are independent.
public enum ReceiptPDFRenderer {
    static let pointsPerMM = 72.0 / 25.4

    public struct RenderError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A rendered receipt and its page: the roll's width, the receipt's length
    /// (the print job asks for media of this size).
    public struct Page: Sendable {
        public var pdf: Data
        public var widthMM: Double
        public var heightMM: Double
    }

    public static func render(_ document: ReceiptDocument) throws(RenderError) -> Data {
        try renderPage(document).pdf
    }

    public static func renderPage(_ document: ReceiptDocument) throws(RenderError) -> Page {
        let width = document.rollWidthMM * pointsPerMM
        let textWidth = document.printableWidthMM * pointsPerMM
        let sink = PDFSink()
        guard let surface = cairo_pdf_surface_create_for_stream({ closure, bytes, length in
            let sink = Unmanaged<PDFSink>.fromOpaque(closure!).takeUnretainedValue()
            sink.data.append(bytes!, count: Int(length))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque(), width, 100)
        else { throw RenderError(description: "cairo could not create a PDF surface") }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else {
            throw RenderError(description: "cairo could not create a PDF surface")
        }
        defer { cairo_destroy(cr) }

        // First pass: lay out every block to learn the page's height (nothing
        // is drawn yet, so the page size may still change).
        let spacing = document.blockSpacingMM * pointsPerMM
        var laidOut: [(block: ReceiptDocument.Block, layout: OpaquePointer?, height: Double)] = []
        defer { for item in laidOut where item.layout != nil { g_object_unref(UnsafeMutableRawPointer(item.layout)) } }
        let qrSide = qrModule(document).side
        for block in document.blocks {
            switch block {
            case let .text(text, style):
                let layout = makeLayout(cr, text: text, style: style, family: document.fontFamily, width: textWidth)
                var w: Int32 = 0, h: Int32 = 0
                pango_layout_get_size(layout, &w, &h)
                laidOut.append((block, layout, Double(h) / Double(kiosk_pango_scale())))
            case let .qr(matrix):
                laidOut.append((block, nil, qrSide(matrix)))
            case .rule:
                laidOut.append((block, nil, 1))
            }
        }
        let contentHeight = laidOut.reduce(0) { $0 + $1.height } + spacing * Double(max(0, laidOut.count - 1))
        let height = (document.marginTopMM + document.marginBottomMM) * pointsPerMM + contentHeight
        cairo_pdf_surface_set_size(surface, width, height)

        // Second pass: draw, centred on the roll.
        cairo_set_source_rgb(cr, 0, 0, 0)
        var y = document.marginTopMM * pointsPerMM
        let left = (width - textWidth) / 2
        for item in laidOut {
            switch item.block {
            case .text:
                cairo_move_to(cr, left, y)
                pango_cairo_show_layout(cr, item.layout)
            case let .qr(matrix):
                drawQR(cr, matrix, document: document, top: y, pageWidth: width)
            case .rule:
                cairo_set_line_width(cr, 0.6)
                cairo_move_to(cr, left, y + 0.5)
                cairo_line_to(cr, left + textWidth, y + 0.5)
                cairo_stroke(cr)
            }
            y += item.height + spacing
        }
        cairo_show_page(cr)
        cairo_surface_finish(surface)
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw RenderError(description: "cairo failed to write the PDF: \(String(cString: cairo_status_to_string(cairo_surface_status(surface))))")
        }
        return Page(pdf: sink.data, widthMM: document.rollWidthMM, heightMM: height / pointsPerMM)
    }

    /// The module size: as large as fits `max_width_mm` with the quiet zone,
    /// never below `min_module_mm`.
    static func qrModule(_ document: ReceiptDocument) -> (module: (QRMatrix) -> Double, side: (QRMatrix) -> Double) {
        let module = { (matrix: QRMatrix) -> Double in
            let modules = Double(matrix.size + 2 * document.qr.quietZoneModules)
            let fitted = min(document.qr.maxWidthMM, document.printableWidthMM) / modules
            return max(fitted, document.qr.minModuleMM) * pointsPerMM
        }
        return (module, { module($0) * Double($0.size + 2 * document.qr.quietZoneModules) })
    }

    static func drawQR(_ cr: OpaquePointer, _ matrix: QRMatrix, document: ReceiptDocument, top: Double,
                       pageWidth: Double) {
        let module = qrModule(document).module(matrix)
        let side = module * Double(matrix.size + 2 * document.qr.quietZoneModules)
        let originX = (pageWidth - side) / 2 + module * Double(document.qr.quietZoneModules)
        let originY = top + module * Double(document.qr.quietZoneModules)
        // One rectangle per horizontal run of dark modules, filled at once.
        for y in 0..<matrix.size {
            var x = 0
            while x < matrix.size {
                guard matrix[x, y] else { x += 1; continue }
                let start = x
                while x < matrix.size && matrix[x, y] { x += 1 }
                cairo_rectangle(cr, originX + Double(start) * module, originY + Double(y) * module,
                                Double(x - start) * module, module)
            }
        }
        cairo_fill(cr)
    }

    /// A pango layout of plain text (`pango_layout_set_text`, never markup).
    /// A last line holding one character alone is not left so: the break
    /// before it moves back until the line holds two.
    static func makeLayout(_ cr: OpaquePointer, text: String, style: ReceiptLayout.Style, family: String,
                           width: Double) -> OpaquePointer? {
        let layout = pango_cairo_create_layout(cr)
        let font = pango_font_description_new()
        pango_font_description_set_family(font, family)
        pango_font_description_set_absolute_size(font, style.size * Double(kiosk_pango_scale()))
        pango_font_description_set_weight(font, style.bold == true ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, font)
        pango_font_description_free(font)
        pango_layout_set_width(layout, Int32(width * Double(kiosk_pango_scale())))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        var shown = text
        pango_layout_set_text(layout, shown, -1)
        for _ in 0..<4 where lastLineCharacters(layout, shown) == 1 {
            shown = ReceiptText.joiningOneMoreAtTheEnd(shown)
            pango_layout_set_text(layout, shown, -1)
        }
        return layout
    }

    /// Visible characters on the layout's last line, when it has more than one line.
    static func lastLineCharacters(_ layout: OpaquePointer?, _ text: String) -> Int? {
        let count = pango_layout_get_line_count(layout)
        guard count > 1, let line = pango_layout_get_line_readonly(layout, count - 1) else { return nil }
        let bytes = Array(text.utf8)
        let start = Int(line.pointee.start_index), end = min(bytes.count, start + Int(line.pointee.length))
        guard start < end else { return nil }
        let tail = String(decoding: bytes[start..<end], as: UTF8.self)
        return tail.filter { $0 != ReceiptText.wordJoiner && !$0.isWhitespace }.count
    }
}

/// Collects the PDF bytes cairo streams out.
private final class PDFSink {
    var data = Data()
}
