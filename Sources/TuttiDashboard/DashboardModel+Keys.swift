import TuttiCore

/// Keys: what each does to the view, and the commands it asks of the program.
extension DashboardModel {
    /// Handles a key; returns what the program must do, if anything. A replay refuses
    /// control actions, saying so.
    public mutating func handle(_ key: KeyInput) -> DashboardCommand? {
        flash = nil
        let command = interpret(key)
        guard replay != nil else { return command }
        // A replay refuses control at once, before any confirmation is asked.
        if case .perform(let action)? = command {
            refuseInReplay(action)
            return nil
        }
        if case .confirm(let action)? = overlay {
            overlay = nil
            refuseInReplay(action)
        }
        return command
    }

    private mutating func refuseInReplay(_ action: ControlAction) {
        flash = Notice(time: run.now, text: "Refused \(action.description): this is a replay; control acts on live runs", role: .failed)
    }

    private mutating func interpret(_ key: KeyInput) -> DashboardCommand? {
        if var query = typing {
            switch key {
            case .interrupt:
                typing = nil
                return interpret(.interrupt)
            case .enter:
                search = query.isEmpty ? nil : query
                typing = nil
            case .escape:
                typing = nil
            case .character("\u{7f}"), .character("\u{8}"):
                if !query.isEmpty { query.removeLast() }
                typing = query
            case .character(let character):
                query.append(character)
                typing = query
            default:
                break
            }
            return nil
        }
        if overlay == .confirmStop {
            switch key {
            case .character("y"), .character("Y"):
                overlay = nil
                return .stopRun
            default:
                overlay = nil
                return nil
            }
        }
        if case .confirm(let action) = overlay {
            overlay = nil
            return [.character("y"), .character("Y")].contains(key) ? .perform(action) : nil
        }
        switch key {
        case .character("q"), .character("Q"), .interrupt:
            if run.outcome != nil || detachOnQuit || replay != nil { return .quit }
            overlay = .confirmStop
        case .character("?"):
            overlay = overlay == .help ? nil : .help
        case .escape:
            if overlay == nil { search = nil }
            overlay = nil
        case .tab:
            let panels = Panel.allCases
            panel = panels[(panels.firstIndex(of: panel)! + 1) % panels.count]
        case .character("/"):
            // In the findings panel it filters the findings; anywhere else, the log.
            if panel != .findings { panel = .log }
            typing = ""
        case .character("a"):
            panel = .gates
            allGates.toggle()
        case .enter where panel == .findings && overlay == nil, .character("e") where panel == .findings && overlay == nil:
            return openSelectedFinding()
        case .character("f"):
            panel = .findings
        case .enter:
            overlay = overlay == nil ? .details : nil
        case .down where panel == .findings, .character("j") where panel == .findings:
            moveFindingCursor(1)
        case .up where panel == .findings, .character("k") where panel == .findings:
            moveFindingCursor(-1)
        case .down, .character("j"):
            select(selected + 1)
        case .up, .character("k"):
            select(selected - 1)
        case .pageDown:
            if panel == .log { logScroll = max(0, logScroll - 10) } else { select(selected + 10) }
        case .pageUp:
            if panel == .log {
                logScroll = min(logScroll + 10, max(0, (selectedTask?.log.count ?? 0) - 1))
            } else {
                select(selected - 10)
            }
        case .home, .character("g"):
            select(0)
        case .end, .character("G"):
            select(run.tasks.count - 1)
        case .character("p"):
            guard let task = selectedTask else { break }
            return .perform(ControlAction(task.status == .paused ? .resume : .pause, task: task.id))
        case .character("P"):
            return .perform(ControlAction(run.dispatch == .running ? .pause : .resume))
        case .character("h"):
            return .perform(ControlAction(run.dispatch == .held ? .resume : .hold))
        case .character("r"):
            guard let task = selectedTask else { break }
            // Running again a task that passed, gates and all, is asked first.
            if task.status == .succeeded, !task.gateResults.contains(where: \.blocks) {
                overlay = .confirm(ControlAction(.retry, task: task.id))
                break
            }
            return .perform(ControlAction(.retry, task: task.id))
        case .character("R"):
            overlay = .confirm(ControlAction(.retry))
        case .character("x"):
            guard let task = selectedTask else { break }
            overlay = .confirm(ControlAction(.cancel, task: task.id))
        case .character("X"):
            overlay = .confirm(ControlAction(.cancel))
        default:
            break
        }
        return nil
    }

    /// Takes the person's view (selection, panel, search, overlays) from `other`: the same
    /// view over another moment of the run.
    public mutating func adoptView(of other: DashboardModel) {
        panel = other.panel
        allGates = other.allGates
        search = other.search
        typing = other.typing
        logScroll = other.logScroll
        findingCursor = other.findingCursor
        overlay = other.overlay
        detachOnQuit = other.detachOnQuit
        flash = other.flash
        selected = run.tasks.isEmpty ? other.selected : min(other.selected, run.tasks.count - 1)
    }

    mutating func select(_ row: Int) {
        let newSelection = min(max(0, row), max(0, run.tasks.count - 1))
        if newSelection != selected { logScroll = 0 }
        selected = newSelection
    }

}
