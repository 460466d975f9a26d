import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP into a callback (with the signal's name) instead of
/// killing the process; SIGPIPE is ignored, so a reader that has gone is an error, not death.
public final class SignalForwarder {
    private let sources: [any DispatchSourceSignal]

    public init(_ handler: @escaping @Sendable (String) -> Void) {
        signal(SIGPIPE, SIG_IGN)
        let names: [(Int32, String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")]
        sources = names.map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(name) }
            source.resume()
            return source
        }
    }

    /// Stops forwarding (the signals stay ignored).
    public func stop() {
        for source in sources { source.cancel() }
    }
}
