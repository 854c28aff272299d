/// Glob-style patterns over dotted names, for `freeze(matching:)`.
///
/// `*` matches any run of characters within one name component (no `.`),
/// `**` matches any run including dots, `?` matches one character other
/// than `.`; everything else matches itself. A pattern selects a name when
/// it matches the whole name or a leading run of its components, so
/// `"features"` and `"layer1.*"` select everything beneath them, and
/// `"*.bias"` selects the biases of top-level children only while
/// `"**.bias"` selects every bias below the root.
public struct NamePattern: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let pattern: String

    public init(_ pattern: String) { self.pattern = pattern }
    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { pattern }

    /// True if the pattern matches `name` or one of its dotted prefixes.
    public func matches(_ name: String) -> Bool {
        let p = Array(pattern), n = Array(name)
        // Try the full name and every prefix that ends before a dot.
        var ends = [n.count]
        for (i, c) in n.enumerated() where c == "." { ends.append(i) }
        return ends.contains { Self.match(p, 0, n, 0, end: $0) }
    }

    private static func match(_ p: [Character], _ pi: Int, _ n: [Character], _ ni: Int, end: Int) -> Bool {
        if pi == p.count { return ni == end }
        if p[pi] == "*" {
            let crossesDots = pi + 1 < p.count && p[pi + 1] == "*"
            let next = crossesDots ? pi + 2 : pi + 1
            var k = ni
            while true {
                if match(p, next, n, k, end: end) { return true }
                if k == end || (!crossesDots && n[k] == ".") { return false }
                k += 1
            }
        }
        guard ni < end else { return false }
        if p[pi] == "?" { return n[ni] != "." && match(p, pi + 1, n, ni + 1, end: end) }
        return p[pi] == n[ni] && match(p, pi + 1, n, ni + 1, end: end)
    }
}
