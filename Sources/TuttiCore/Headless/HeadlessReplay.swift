/// A recording told again as the lines a live headless run printed: the same start, end,
/// retry and gate lines, a progress line at every polling interval, then the summary.
public enum HeadlessReplay {
    /// The lines, in the order the live run printed them.
    public static func lines(for recording: Recording, glyphs: Glyphs = .forEnvironment()) -> [String] {
        let collected = LineCollector()
        let printer = HeadlessPrinter(glyphs: glyphs, write: collected.append)
        var interval = 5.0
        var nextTick = interval
        var report: RunReport?
        for event in recording.events {
            if case .runStarted(let started) = event.kind {
                interval = started.pollingInterval > 0 ? started.pollingInterval : 5
                nextTick = interval
            }
            // The live printer ticks while the run goes on: at every interval before this event.
            while report == nil, nextTick < event.time {
                if let line = printer.progressLine(elapsed: nextTick) { collected.append(line) }
                nextTick += interval
            }
            printer.handle(event)
            switch event.kind {
            case .runFinished(let finished): report = finished.report
            case .runReopened, .runResumed: report = nil
            default: break
            }
        }
        var lines = collected.lines
        if let report { lines += SummaryFormatter.lines(for: report) }
        return lines
    }
}

/// Lines handed over by a printer, kept in order.
private final class LineCollector: @unchecked Sendable {
    // Only used on one thread: the printer writes synchronously from `handle`.
    var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
