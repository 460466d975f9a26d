import Foundation

/// Keeps a task's output: every byte, as written, in the log file; lines of it as events
/// (protocol lines as progress, metrics and findings).
struct OutputReader {
    let taskID: String
    let bus: EventBus
    var log: LogFile
    private var splitters: [OutputStream: LineSplitter] = [.stdout: LineSplitter(), .stderr: LineSplitter()]
    private var throttle: LogThrottle
    /// Bounds the events made from protocol lines (progress, metrics, messages, notices):
    /// an agent reporting in a tight loop cannot flood the recording.
    private var reportThrottle: LogThrottle
    private var pendingProgress: Double?
    private var emittedMetrics: [String: JSONValue] = [:]
    private var pendingMetrics: [String: JSONValue] = [:]
    private var droppedMessages = 0
    /// The most distinct metric names one attempt may report.
    static let maximumMetrics = 1000
    /// The most findings one attempt records; the rest are counted (the agent's own
    /// findings files have them all).
    static let maximumFindings = 100
    private var lastProgress: Double?
    private(set) var metrics: [String: JSONValue] = [:]
    /// What each metric measures, as the agent said.
    private(set) var labels: [String: String] = [:]
    /// The findings recorded, in the order the agent reported them.
    private(set) var findings: [Finding] = []
    /// Every finding the agent reported, recorded or not.
    private(set) var findingsReported = 0
    /// The task's details as its agent last gave them, and how many were recorded.
    private var details: [TaskDetail.Name: String] = [:]
    private var detailsRecorded = 0
    /// The most details one attempt records.
    static let maximumDetails = 100
    /// The last line the task wrote to stderr: most programs end a failure with why.
    private(set) var lastErrorLine: String?

    init(taskID: String, bus: EventBus, log: LogFile, now: Double) {
        self.taskID = taskID
        self.bus = bus
        self.log = log
        throttle = LogThrottle(now: now)
        reportThrottle = LogThrottle(capacity: 200, refillPerSecond: 100, now: now)
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, from stream: OutputStream, now: Double) {
        // The log holds exactly what the task wrote; only the events are lines of text.
        log.append(bytes)
        let lines = splitters[stream]!.feed(bytes)
        handle(lines, stream: stream, now: now)
    }

    mutating func finish(_ stream: OutputStream, now: Double) {
        if let last = splitters[stream]!.finish() { handle([last], stream: stream, now: now) }
    }

    /// At the end of the attempt: reports what was held back, so the last progress and every
    /// metric's final value are always recorded.
    mutating func flushDropped(now: Double) {
        let dropped = throttle.takeDropped()
        if dropped > 0 { bus.emit(.taskLogDropped(TaskLogDropped(task: taskID, count: dropped))) }
        if let percent = pendingProgress {
            bus.emit(.taskProgress(TaskProgress(task: taskID, percent: percent)))
            pendingProgress = nil
        }
        for (name, value) in pendingMetrics.sorted(by: { $0.key < $1.key }) {
            bus.emit(.taskMetric(TaskMetric(task: taskID, name: name, value: value, label: labels[name])))
        }
        if findingsReported > findings.count {
            bus.emit(.taskMessage(TaskMessage(task: taskID, text: "\(findingsReported - findings.count) more findings not recorded "
                                              + "(at most \(Self.maximumFindings) per attempt)")))
        }
        pendingMetrics.removeAll()
        if droppedMessages > 0 {
            bus.emit(.taskMessage(TaskMessage(task: taskID, text: "\(droppedMessages) messages not recorded (too many too fast)")))
            droppedMessages = 0
        }
    }

    private mutating func handle(_ lines: [String], stream: OutputStream, now: Double) {
        for line in lines {
            let meaning: AgentProtocol.Line = stream == .stdout ? AgentProtocol.parse(line) : .log
            if stream == .stderr, line.contains(where: { !$0.isWhitespace }) { lastErrorLine = line }
            switch meaning {
            case .reports(let reports):
                for report in reports { apply(report, now: now) }
            case .log, .malformed:
                if case .malformed(let why) = meaning {
                    message("malformed protocol line kept as log: \(why)", now: now)
                }
                if throttle.allow(now: now) {
                    let dropped = throttle.takeDropped()
                    if dropped > 0 { bus.emit(.taskLogDropped(TaskLogDropped(task: taskID, count: dropped))) }
                    bus.emit(.taskLog(TaskLog(task: taskID, stream: stream, line: line)))
                }
            }
        }
    }

    private mutating func apply(_ report: AgentReport, now: Double) {
        switch report {
        case .progress(let percent):
            guard percent != lastProgress else { return }
            lastProgress = percent
            if reportThrottle.allow(now: now) {
                bus.emit(.taskProgress(TaskProgress(task: taskID, percent: percent)))
                pendingProgress = nil
            } else {
                pendingProgress = percent
            }
        case .metric(let name, let value):
            guard metrics[name] != nil || metrics.count < Self.maximumMetrics else {
                message("metric \(name) ignored: at most \(Self.maximumMetrics) metrics per task", now: now)
                return
            }
            metrics[name] = value
            guard emittedMetrics[name] != value else {
                pendingMetrics[name] = nil
                return
            }
            if reportThrottle.allow(now: now) {
                bus.emit(.taskMetric(TaskMetric(task: taskID, name: name, value: value, label: labels[name])))
                emittedMetrics[name] = value
                pendingMetrics[name] = nil
            } else {
                pendingMetrics[name] = value
            }
        case .label(let name, let text):
            guard labels[name] != nil || labels.count < Self.maximumMetrics else { return }
            labels[name] = text
        case .message(let text):
            message(text, now: now)
        case .detail(let name, let text):
            // A few, each recorded when it changes, up to a bound.
            guard details[name] != text, detailsRecorded < Self.maximumDetails else { return }
            details[name] = text
            detailsRecorded += 1
            bus.emit(.taskDetail(TaskDetail(task: taskID, name: name, text: text)))
        case .finding(let finding):
            findingsReported += 1
            guard findings.count < Self.maximumFindings else { return }
            findings.append(finding)
            // Never dropped by the throttle: there are at most a hundred.
            bus.emit(.taskFinding(TaskFinding(task: taskID, finding: finding)))
        }
    }

    /// A message from Tutti about the task (rate-limited like the agent's own).
    mutating func message(_ text: String, now: Double) {
        if reportThrottle.allow(now: now) {
            bus.emit(.taskMessage(TaskMessage(task: taskID, text: text)))
        } else {
            droppedMessages += 1
        }
    }
}
