/// Comparing secrets (signatures, tokens, CSRF values) in a time that does
/// not depend on where they first differ, so a caller cannot learn them a
/// byte at a time. An empty secret matches nothing: an unset one must never
/// let an empty answer through.
public enum ConstantTime {
    public static func equal(_ expected: String, _ given: String) -> Bool {
        let expected = Array(expected.utf8), provided = Array(given.utf8)
        guard expected.count == provided.count, !expected.isEmpty else { return false }
        return zip(expected, provided).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
