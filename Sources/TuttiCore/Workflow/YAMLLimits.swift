import Yams

/// Bounds on what a workflow file may expand to: YAML aliases repeat their anchor's whole
/// value, so a few hundred bytes of nested aliases can stand for billions of values (an
/// "alias bomb"). The size is counted once per anchored value, so checking costs as much
/// as reading the text.
enum YAMLLimits {
    /// No implicit types while composing: Yams hashes every mapping key (to find duplicates)
    /// by its resolved type, which its default resolver finds by trying regular expressions,
    /// and that was a fifth of reading a large workflow. The values whose types matter are
    /// resolved where they are read (`Node.jsonValue`); Yams's `int`, `bool`, `float` and
    /// `null` parse the text themselves. (Keys `1` and `"1"` are now the same key: a
    /// duplicate, refused.)
    static let resolver = Resolver.basic

    /// The most values (scalars, lists and mappings) a workflow may expand to. A workflow of
    /// a thousand tasks with a dozen keys each holds well under a tenth of this.
    static let maximumValues = 1_000_000

    /// Why the document expands too far, at the smallest value that alone is too large. Only
    /// aliases (`*name`) make a document larger than its text: without a `*` in `text` there
    /// is nothing to count.
    static func check(_ root: Node, text: String, file: String) -> Diagnostic? {
        guard text.utf8.contains(UInt8(ascii: "*")) else { return nil }
        var sizes = SizeCounter()
        // What the aliases add: the values as expanded, less the values as written (a large
        // workflow without aliases is not a bomb).
        let expanded = sizes.count(root)
        guard expanded > maximumValues, expanded - sizes.distinct(root) > maximumValues else { return nil }
        var culprit = root
        while let larger = children(of: culprit).first(where: { sizes.count($0) > maximumValues }) { culprit = larger }
        let size = sizes.count(culprit)
        let line = culprit.mark?.line ?? 1, column = culprit.mark?.column ?? 1
        let sizeText = size == Int.max ? "more than \(Int.max)" : "\(size)"
        return Diagnostic("this value expands to \(sizeText) values through YAML aliases; a workflow may hold at most \(maximumValues)",
                          at: SourceLocation(file: file, line: line, column: column),
                          hint: "each alias (*name) repeats its anchor's whole value; nest fewer aliases, or write the values out")
    }

    static func children(of node: Node) -> [Node] {
        switch node {
        case .scalar, .alias: return []
        case .sequence(let items): return Array(items)
        case .mapping(let mapping): return mapping.flatMap { [$0.key, $0.value] }
        }
    }

    /// Counts values, remembering each node's count by where it starts in the text: every copy
    /// an alias makes starts where its anchor's value does.
    struct SizeCounter {
        private struct Place: Hashable {
            let kind: Int
            let line: Int
            let column: Int
        }

        private var counted: [Place: Int] = [:]

        /// The values as written: each place in the text once, however often aliases repeat it.
        func distinct(_ root: Node) -> Int {
            var seen: Set<Place> = []
            var total = 0
            var stack = [root]
            while let node = stack.popLast() {
                let kind: Int
                switch node {
                case .scalar, .alias:
                    total += 1
                    continue
                case .sequence: kind = 0
                case .mapping: kind = 1
                }
                if let mark = node.mark, !seen.insert(Place(kind: kind, line: mark.line, column: mark.column)).inserted { continue }
                total += 1
                stack += YAMLLimits.children(of: node)
            }
            return total
        }

        mutating func count(_ node: Node) -> Int {
            let kind: Int
            switch node {
            case .scalar, .alias: return 1
            case .sequence: kind = 0
            case .mapping: kind = 1
            }
            let place = node.mark.map { Place(kind: kind, line: $0.line, column: $0.column) }
            if let place, let known = counted[place] { return known }
            var total = 1
            for child in YAMLLimits.children(of: node) {
                let (sum, overflow) = total.addingReportingOverflow(count(child))
                total = overflow ? Int.max : sum
            }
            if let place { counted[place] = total }
            return total
        }
    }
}
