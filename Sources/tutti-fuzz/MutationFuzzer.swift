#if !FUZZING
import Foundation

/// `tutti-fuzz TARGET [--runs N] [--seed S] [FILE...]`: feeds the target its seeds, the
/// given files (crashes found before, kept as regressions), then N mutations of them, from a
/// seeded generator so a run can be repeated. Without coverage guidance; the build with
/// libFuzzer (.ci/fuzz) adds it. `tutti-fuzz TARGET --write-seeds DIR` writes the seeds as
/// files, libFuzzer's starting corpus.
@main
struct MutationFuzzer {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: tutti-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) [--runs N] [--seed S] [FILE...]")
            exit(2)
        }
        arguments.removeFirst()
        if arguments.first == "--write-seeds", arguments.count == 2 {
            try? FileManager.default.createDirectory(atPath: arguments[1], withIntermediateDirectories: true)
            for (index, seed) in target.seeds.enumerated() {
                FileManager.default.createFile(atPath: "\(arguments[1])/seed-\(index)", contents: Data(seed))
            }
            return
        }
        var runs = 10_000
        var seed: UInt64 = 1
        var files: [String] = []
        while let argument = arguments.first {
            arguments.removeFirst()
            switch argument {
            case "--runs": runs = arguments.first.flatMap(Int.init) ?? runs; arguments = Array(arguments.dropFirst())
            case "--seed": seed = arguments.first.flatMap(UInt64.init) ?? seed; arguments = Array(arguments.dropFirst())
            default: files.append(argument)
            }
        }
        var corpus = target.seeds + files.compactMap { FileManager.default.contents(atPath: $0).map { Array($0) } }
        for input in corpus { target.run(input) }
        var generator = SplitMix(seed: seed)
        for run in 0..<runs {
            var input = corpus[Int(generator.next() % UInt64(corpus.count))]
            for _ in 0...(generator.next() % 4) { Mutation.apply(to: &input, splicing: corpus, using: &generator) }
            target.run(input)
            // Keep some mutants to mutate further, as a fuzzer's corpus grows.
            if run % 64 == 0, input.count < 1 << 16 { corpus.append(input) }
        }
        print("tutti-fuzz \(target.rawValue): \(runs) inputs, seed \(seed), no crash")
    }
}

/// A small, fast, seeded generator (SplitMix64), so a fuzzing run can be repeated.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The ways an input is changed: bytes flipped, inserted, removed, repeated, tokens that
/// parsers treat specially, deep nesting, and pieces of other inputs.
enum Mutation {
    static let tokens: [String] = ["&a ", "*a", "<<: *a", "[", "]", "{", "}", "\"", "\\u0000", "\\ud800", "\n", ": ", "- ", "? ",
                                   "99999999999999999999999", "-0", "1e999", "NaN", "null", "true", "%", "/", "\u{1b}[2J",
                                   "\u{202e}", "\t", "#", "'", "!!binary ", "task_id", "depends_on", "seq", "type", "@tutti "]

    static func apply(to input: inout [UInt8], splicing corpus: [[UInt8]], using generator: inout SplitMix) {
        let position = input.isEmpty ? 0 : Int(generator.next() % UInt64(input.count + 1))
        switch generator.next() % 7 {
        case 0 where !input.isEmpty:
            input[min(position, input.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << (generator.next() % 8))
        case 1:
            input.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
        case 2 where !input.isEmpty:
            let end = min(input.count, position + 1 + Int(generator.next() % 16))
            input.removeSubrange(min(position, input.count - 1)..<end)
        case 3 where !input.isEmpty:
            let start = min(position, input.count - 1)
            let piece = input[start..<min(input.count, start + 1 + Int(generator.next() % 64))]
            input.insert(contentsOf: piece, at: start)
        case 4:
            input.insert(contentsOf: Array(tokens[Int(generator.next() % UInt64(tokens.count))].utf8), at: position)
        case 5:
            let depth = 1 + Int(generator.next() % 2_000)
            let (open, close): (String, String) = generator.next() % 2 == 0 ? ("[", "]") : ("{\"a\":", "}")
            input.insert(contentsOf: Array((String(repeating: open, count: depth) + String(repeating: close, count: depth)).utf8), at: position)
        default:
            let other = corpus[Int(generator.next() % UInt64(corpus.count))]
            guard !other.isEmpty else { return }
            let start = Int(generator.next() % UInt64(other.count))
            input.insert(contentsOf: other[start..<min(other.count, start + 1 + Int(generator.next() % 256))], at: position)
        }
    }
}
#endif
