import Foundation
import Mustache

/// The console's templates and stylesheet, read once from the assets folder
/// (`assets/console/`: one `.mustache` file a page, `layout.mustache` the
/// frame every page fills). Mustache escapes every `{{value}}` for HTML.
public struct ConsoleViews: Sendable {
    let library: MustacheLibrary
    let stylesheet: String

    public static let pages = ["layout", "login", "inbox", "case", "reports", "audit", "message"]

    public init(assets: URL) throws {
        let folder = assets.appendingPathComponent("console")
        var library = MustacheLibrary()
        for name in Self.pages {
            let url = folder.appendingPathComponent("\(name).mustache")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw CenterError(description: "console template \(url.path) is missing or unreadable")
            }
            do {
                try library.register(text, named: name)
            } catch {
                throw CenterError(description: "console template \(url.path) does not parse: \(error)")
            }
        }
        guard let css = try? String(contentsOf: folder.appendingPathComponent("console.css"), encoding: .utf8) else {
            throw CenterError(description: "console stylesheet \(folder.path)/console.css is missing or unreadable")
        }
        self.library = library
        self.stylesheet = css
    }

    func render(_ page: String, _ data: [String: Any]) -> String {
        library.render(Self.withoutNils(data), withTemplate: page) ?? ""
    }

    /// Drops keys whose value is an empty optional: Mustache would take a
    /// boxed `nil` for a value and show its section.
    static func withoutNils(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]:
            var out: [String: Any] = [:]
            for (key, item) in dictionary {
                if let optional = item as? OptionalBox, optional.isNone { continue }
                out[key] = withoutNils(item)
            }
            return out
        case let array as [[String: Any]]:
            return array.map { withoutNils($0) }
        case let array as [Any]:
            return array.map { withoutNils($0) }
        default:
            if let optional = value as? OptionalBox, let wrapped = optional.wrapped { return withoutNils(wrapped) }
            return value
        }
    }
}

/// Looks inside an `Any` for an optional.
private protocol OptionalBox {
    var isNone: Bool { get }
    var wrapped: Any? { get }
}

extension Optional: OptionalBox {
    var isNone: Bool { self == nil }
    var wrapped: Any? { self.map { $0 as Any } }
}
