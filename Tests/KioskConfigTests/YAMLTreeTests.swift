import Testing
import YAMLTree

/// The YAML reader over the system's libyaml: what the configuration
/// loaders rely on (lines, YAML 1.1 scalars, refused duplicates).
@Suite struct YAMLTreeTests {
    @Test func scalarsResolveAsYAMLDoesAndQuotedOnesStayText() throws {
        let node = try #require(try YAML.compose("""
            count: 1_000
            negative: -3
            ratio: 0.5
            on: yes
            off: Off
            quoted: "10"
            word: ten
            """))
        guard case let .mapping(mapping) = node else { Issue.record("not a mapping"); return }
        let values = Dictionary(uniqueKeysWithValues: mapping.map { ($0.key.string!, $0.value) })
        #expect(values["count"]?.int == 1000 && values["negative"]?.int == -3)
        #expect(values["ratio"]?.double == 0.5 && values["ratio"]?.int == nil)
        #expect(values["on"]?.bool == true && values["off"]?.bool == false)
        #expect(values["quoted"]?.int == nil && values["quoted"]?.string == "10", "quoted is text")
        #expect(values["word"]?.int == nil && values["word"]?.bool == nil)
        #expect(values["quoted"]?.line == 6)
    }

    @Test func listsAndLines() throws {
        let node = try #require(try YAML.compose("base: {size: 9}\nlist:\n  - y\n  - x\n"))
        guard case let .mapping(mapping) = node, case let .sequence(list) = mapping.pairs[1].value else {
            Issue.record("unexpected shape"); return
        }
        #expect(list.nodes.count == 2 && list.nodes[1].line == 4)
    }

    /// A billion laughs (aliases of aliases) and deep nesting are refused
    /// with their line, before anything can walk or recurse into them.
    @Test func aliasesAndDeepNestingAreRefusedWithTheirLine() throws {
        var laughs = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for (index, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].enumerated() {
            let previous = index == 0 ? "a" : ["b", "c", "d", "e", "f", "g", "h"][index - 1]
            laughs += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        let alias = #expect(throws: YAMLError.self) { try YAML.compose(laughs) }
        #expect(alias?.line == 2 && alias?.message.contains("aliases") == true, "\(String(describing: alias))")
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        let nested = #expect(throws: YAMLError.self) { try YAML.compose("ok: 1\nx: " + deep) }
        #expect(nested?.line == 2 && nested?.message.contains("nested deeper than 64") == true, "\(String(describing: nested))")
        #expect(try YAML.compose("x: " + String(repeating: "[", count: 60) + String(repeating: "]", count: 60)) != nil)
    }

    /// A syntax error names the line of the bad construct, not the one after.
    @Test func aSyntaxErrorNamesTheBadLine() throws {
        let error = #expect(throws: YAMLError.self) { try YAML.compose("a: 1\nb: [2, 3\nc: 4\n") }
        #expect(error?.line == 2, "\(String(describing: error))")
    }

    @Test func problemsSayTheLine() throws {
        #expect(throws: YAMLError.self) { try YAML.compose("a: 1\nb: [2\n") }
        do {
            _ = try YAML.compose("a: 1\nb: 2\na: 3\n")
            Issue.record("a repeated key must be refused")
        } catch {
            #expect(error.line == 3 && error.message == "duplicate key 'a'")
        }
        #expect(throws: YAMLError.self) { try YAML.compose("a: 1\n---\nb: 2\n") }
        #expect(throws: YAMLError.self) { try YAML.compose("a: *nowhere\n") }
        #expect(try YAML.compose("") == nil, "an empty file holds no document")
        #expect(try YAML.compose("# only a comment\n") == nil)
    }
}
