import Foundation

/// Has zbar, a real QR reader, read a grid of modules (`true` is dark,
/// rows top to bottom): drawn as a greyscale image, 6 pixels a module,
/// inside a light margin wider than the quiet zone. Nil when zbar finds none.
public func readQR(modules: [[Bool]]) throws -> String? {
    let scale = 6, margin = 8
    let columns = modules.map(\.count).max() ?? 0
    let width = (columns + 2 * margin) * scale, height = (modules.count + 2 * margin) * scale
    var pixels = [UInt8](repeating: 255, count: width * height)
    for (row, line) in modules.enumerated() {
        for (column, dark) in line.enumerated() where dark {
            for y in 0..<scale {
                let start = ((row + margin) * scale + y) * width + (column + margin) * scale
                pixels.replaceSubrange(start..<(start + scale), with: repeatElement(0, count: scale))
            }
        }
    }
    let image = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
    defer { try? FileManager.default.removeItem(at: image) }
    var file = Data("P5\n\(width) \(height)\n255\n".utf8)
    file.append(contentsOf: pixels)
    try file.write(to: image)
    let zbar = try runToEnd(["/usr/bin/zbarimg", "--nodbus", "--quiet", "--raw", image.path])
    return zbar.status == 0 ? zbar.stdout.trimmingCharacters(in: .newlines) : nil
}
