import CentreStore
import Foundation
import Mustache

/// The console's templates, stylesheet and one script, read once from the assets folder
/// (`assets/console/`: one `.mustache` file a page, `layout.mustache` the
/// frame every page fills). Mustache escapes every `{{value}}` for HTML.
public struct ConsoleViews: Sendable {
    let library: MustacheLibrary
    let stylesheet: String
    /// The home-visit form's live level (the pages work without it).
    let visitScript: String

    public static let pages = ["layout", "login", "inbox", "case", "reports", "audit", "message", "fleet", "kiosk", "partner-inbox", "referral"]

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
        guard let script = try? String(contentsOf: folder.appendingPathComponent("visit-score.js"), encoding: .utf8) else {
            throw CenterError(description: "console script \(folder.path)/visit-score.js is missing or unreadable")
        }
        self.library = library
        self.stylesheet = css
        self.visitScript = script
    }

    func render(_ page: String, _ data: TemplateValues) -> String {
        library.render(data, withTemplate: page) ?? ""
    }
}

/// What a template reads by name. Its own lookup, so Mustache finds a name
/// without reflection or a conditional-conformance cast (a dictionary cost
/// about 9 µs a lookup: most of an inbox page). Empty optionals are left
/// out, so a section over them is skipped.
final class TemplateValues: MustacheParent, @unchecked Sendable {
    private var values: [String: Any]

    init(_ entries: [String: Any?]) {
        values = entries.compactMapValues { $0 }
    }

    func child(named name: String) -> Any? { values[name] }

    subscript(name: String) -> Any? {
        get { values[name] }
        set { values[name] = newValue }
    }
}
