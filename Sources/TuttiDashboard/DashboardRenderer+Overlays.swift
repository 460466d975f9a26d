import TuttiCore

/// The overlays (help, details, confirmations) and the replay's footer.
extension DashboardRenderer {
    /// The replay's footer: playing or paused, speed, a bar of where in the run it is, and its keys.
    func drawReplayBar(_ replay: ReplayStatus, into grid: inout ScreenGrid, y: Int) {
        let speed = replay.speed < 1 ? String(format: "%gx", replay.speed) : "\(Int(replay.speed))x"
        let state = "\(replay.playing ? "PLAY" : "PAUSE") \(speed)"
        var x = grid.put(" \(state.padding(to: 9)) ", x: 0, y: y, style: CellStyle(.key, bold: true))
        x = grid.put("\(ShortTime.clock(replay.position)) ", x: x, y: y, style: CellStyle(.text))
        var hints: [(String, String)] = [("space", "play"), ("+-", "speed"), ("\(glyphs.left)\(glyphs.right)", "seek"),
                                         ("[ ]", "moments"), ("q", "quit")]
        func hintsWidth() -> Int { hints.reduce(0) { $0 + $1.0.count + $1.1.count + 3 } }
        let end = " \(ShortTime.clock(replay.duration))  "
        while !hints.isEmpty, grid.width - x - end.count - hintsWidth() < 12 { hints.removeFirst() }
        let barWidth = max(4, grid.width - x - end.count - hintsWidth() - 1)
        let filled = replay.duration > 0 ? Int((replay.position / replay.duration * Double(barWidth)).rounded(.down)) : barWidth
        for column in 0..<barWidth {
            let done = column < min(filled, barWidth)
            grid[x + column, y] = Cell(character: done ? glyphs.fill : glyphs.empty,
                                       style: CellStyle(done ? .progressFill : .progressEmpty))
        }
        x = grid.put(end, x: x + barWidth, y: y, style: CellStyle(.text))
        for (key, action) in hints {
            x = grid.put(key, x: x, y: y, style: CellStyle(.key, bold: true))
            x = grid.put(" \(action)  ", x: x, y: y, style: CellStyle(.dim))
        }
    }

    func drawHelp(into grid: inout ScreenGrid) {
        drawBox(title: "Keys", lines: [
            "q / Ctrl-C    quit (asks first while the run goes on)",
            "\(glyphs.up) \(glyphs.down) / j k     select a task",
            "PgUp PgDn     move by ten (scroll the log when it shows)",
            "Home End g G  first / last task",
            "Enter         details of the selected task",
            "Tab           next panel: timeline, gates, log, findings",
            "f             what the agents found, worst first",
            "e / Enter     open the selected finding in $EDITOR",
            "a             gates of every task / of the selected one",
            "p             pause / resume the selected task",
            "P             pause / resume the run (running tasks stop too)",
            "h             hold dispatch: running tasks go on, none start",
            "r / R         run the selected task again / every failed one",
            "x / X         cancel the selected task / the whole run",
            "/             search the log, or filter the findings",
            "Esc           close this window, clear the search",
            "?             this help",
        ], into: &grid, role: .text)
    }

    func drawDetails(_ task: TaskState, model: DashboardModel, into grid: inout ScreenGrid) {
        // The command that really ran is the agent's (its test runner, its scanner); Tutti's
        // call of the agent comes after it.
        var lines = [
            "Agent     \(task.agent)",
            "Status    \(task.failedGates ? "succeeded, gates failed" : task.status.rawValue)"
                + (task.attempt > 0 ? ", attempt \(task.attempt) of \(task.maxAttempts)" : ""),
        ]
        if let why = model.run.whyWaiting(task.id) { lines.append("Waiting   \(why)") }
        if let estimate = model.run.history.estimate(task.id) {
            lines.append("Expected  ~\(ShortTime.format(estimate.seconds)) (\(estimate.basis))")
        }
        if let headline = task.details[.headline] { lines.append("Result    \(headline)") }
        if let command = task.details[.command] {
            lines += ["Command   \(command)", "Run by    \(task.command.joined(separator: " "))"]
        } else {
            lines.append("Command   \(task.command.joined(separator: " "))")
        }
        if let findings = task.details[.findings] { lines.append("Findings  \(findings)") }
        lines += [
            "Directory \(task.workingDirectory ?? "(the run's working directory)")",
            "PID       \(task.pid.map(String.init) ?? glyphs.dash)" + (task.cluster == nil ? "" : " (srun, on this machine)"),
        ]
        if let job = task.cluster {
            var slurm = "Slurm     job \(job.jobID)" + (job.node.map { " on \($0)" } ?? "") + ", \(job.state)"
            if let reason = job.reason { slurm += " (\(reason))" }
            if task.queuedSeconds > 0 { slurm += ", waited \(ShortTime.format(task.queuedSeconds)) in the queue" }
            lines.append(slurm)
        }
        for (index, segment) in task.segments.enumerated() {
            let end = segment.end.map { "t=\(ShortTime.format($0))" } ?? "now"
            let outcome = segment.outcome.flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
            lines.append("Attempt \(index + 1) t=\(ShortTime.format(segment.start)) to \(end): \(segment.status.rawValue)\(outcome)")
        }
        if let exit = task.exitCode { lines.append("Exit      status \(exit)") }
        if let signal = task.signal { lines.append("Exit      signal \(signal)") }
        if let reason = task.reason { lines.append("Reason    \(reason)") }
        let metrics = task.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        lines.append("Metrics   \(metrics.isEmpty ? "none reported yet" : metrics)")
        lines.append("Time      \(ShortTime.format(task.elapsed(now: model.now)))")
        if !task.findings.isEmpty {
            let shown = 5
            lines.append("Found     \(task.findings.count)\(task.findings.count > shown ? ", the first \(shown):" : ":")")
            lines += task.findings.prefix(shown).map { "  \($0.severity.rawValue.uppercased()) \($0.summaryLine)" }
        }
        drawBox(title: "Task \(task.id): \(task.name)", lines: lines, into: &grid, role: task.status.role)
    }

    /// What a hard action will do, for its confirmation.
    static func consequence(of action: ControlAction) -> String {
        switch (action.verb, action.task) {
        case (.cancel, let task?): return "Task \(task)'s processes get SIGTERM, then SIGKILL."
        case (.cancel, nil): return "Every running task is stopped and the run ends."
        case (.retry, nil): return "Every task that failed, timed out, was cancelled or failed a gate runs again."
        case (.retry, let task?): return "Task \(task) succeeded; it runs again, and so do the tasks after it."
        default: return action.description
        }
    }

    func drawBox(title: String, lines: [String], into grid: inout ScreenGrid, role: Role) {
        let inner = min(grid.width - 4, max(title.count + 4, lines.map(\.count).max() ?? 0) + 2)
        let height = min(grid.height - 2, lines.count + 2)
        let x = (grid.width - inner - 2) / 2
        let y = max(1, (grid.height - height) / 2)
        let border = CellStyle(role == .text ? .border : role, bold: true)
        grid.fill(x: x, y: y, width: inner + 2, height: height, style: CellStyle())
        let (topLeft, topRight, bottomLeft, bottomRight) = glyphs.corners
        grid[x, y] = Cell(character: topLeft, style: border)
        grid[x + inner + 1, y] = Cell(character: topRight, style: border)
        grid[x, y + height - 1] = Cell(character: bottomLeft, style: border)
        grid[x + inner + 1, y + height - 1] = Cell(character: bottomRight, style: border)
        for column in 1...inner {
            grid[x + column, y] = Cell(character: glyphs.horizontal, style: border)
            grid[x + column, y + height - 1] = Cell(character: glyphs.horizontal, style: border)
        }
        for row in 1..<(height - 1) {
            grid[x, y + row] = Cell(character: glyphs.vertical, style: border)
            grid[x + inner + 1, y + row] = Cell(character: glyphs.vertical, style: border)
        }
        grid.put(" \(title) ", x: x + 2, y: y, style: CellStyle(.title, bold: true), limit: inner - 2)
        for (offset, line) in lines.prefix(height - 2).enumerated() {
            grid.put(line, x: x + 2, y: y + 1 + offset, style: CellStyle(), limit: inner - 2)
        }
    }
}
