#if FUZZING
import Foundation

// Built with `-sanitize=fuzzer -DFUZZING` (see .ci/fuzz), libFuzzer drives the target named
// by TUTTI_FUZZ_TARGET with coverage-guided inputs. The package manager makes this
// executable's entry point `tutti_fuzz_main`, which hands over to libFuzzer's driver; the
// usual LLVMFuzzerTestOneInput is there too, for libFuzzer's own `main` should it be the
// one linked.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target chosen at start; libFuzzer calls in from one thread.
nonisolated(unsafe) private var chosen = FuzzTarget.workflow

@_cdecl("tutti_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = ProcessInfo.processInfo.environment["TUTTI_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("TUTTI_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        return 2
    }
    chosen = target
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    chosen.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    if let target = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["TUTTI_FUZZ_TARGET"] ?? "") { chosen = target }
    return 0
}
#endif
