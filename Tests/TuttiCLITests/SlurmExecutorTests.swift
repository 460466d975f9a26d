import Foundation
import Testing
import TuttiCore

/// The cluster the Slurm tests run on: the one `SLURM_CONF` names (CI starts a real one-node
/// cluster with `.ci/slurm-cluster start DIR`). Without one the tests are skipped, unless
/// `TUTTI_REQUIRE_SLURM=1` (set by CI), when they fail instead.
enum SlurmCluster {
    static let available: Bool = ProcessInfo.processInfo.environment["SLURM_CONF"] != nil
        && ChildProcess.run(["scontrol", "ping"]).status == 0
    static let required = ProcessInfo.processInfo.environment["TUTTI_REQUIRE_SLURM"] == "1"
    static let runnable = available || required

    /// Fails the test when the cluster is required but missing.
    static func check() throws {
        let conf = ProcessInfo.processInfo.environment["SLURM_CONF"] ?? "unset"
        try #require(available, "no Slurm cluster answers (SLURM_CONF=\(conf)); start one with .ci/slurm-cluster start DIR and export SLURM_CONF=DIR/slurm.conf")
    }

    /// `squeue`'s lines for the jobs of a run: id, state, reason, comment.
    static func jobs(ofRun runID: String) -> [String] {
        ChildProcess.run(["squeue", "--noheader", "--name=\(SlurmSubmission.jobName(runID: runID))", "--format=%i|%T|%r|%k"],
                         captureOutput: true).output.split(separator: "\n").map(String.init)
    }

    /// A job that holds all eight CPUs until released.
    struct CPUHolder {
        let job: String
        let releaseFile: String

        /// Lets the job end (the cluster is free again).
        func release() { #expect(FileManager.default.createFile(atPath: releaseFile, contents: nil)) }

        /// Ends the job whatever it is doing (at the end of a test).
        func cancel() { ChildProcess.run(["scancel", job]) }
    }

    /// Submits a job that holds all eight CPUs until it is released, and waits until it runs
    /// (cancel it when done).
    static func occupyEveryCPU(in scratch: Scratch) async throws -> CPUHolder {
        let release = scratch.file("release")
        let blocker = ChildProcess.run(["sbatch", "--parsable", "--cpus-per-task=8", "--job-name=tutti-test-blocker",
                                        "--output=/dev/null", "--wrap", "while [ ! -f \(release) ]; do sleep 0.1; done"],
                                       captureOutput: true).output.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!blocker.isEmpty)
        let holder = CPUHolder(job: blocker, releaseFile: release)
        let running = await eventually { state(ofJob: blocker) == "RUNNING" }
        if !running { holder.cancel() }
        try #require(running, "the job holding every CPU runs")
        return holder
    }

    /// A field of `scontrol show job` for a job: its JobState by default, or its Reason...
    static func state(ofJob id: String, field: String = "JobState") -> String? {
        let text = ChildProcess.run(["scontrol", "show", "job", id], captureOutput: true).output
        return text.range(of: " \(field)=").map { String(text[$0.upperBound...].prefix { !$0.isWhitespace }) }
    }
}

/// Tasks as Slurm jobs on a real cluster: output streamed back live, several at once, pause as
/// Slurm's suspend, cancel, retry as a new job, the queue's reason, nothing left when Tutti is
/// killed. One at a time: they share the cluster's eight CPUs.
@Suite(.serialized, .enabled(if: SlurmCluster.runnable)) struct SlurmExecutorTests {
    /// Every test needs the cluster: a required one that is missing fails each test.
    init() throws { try SlurmCluster.check() }

    /// The run's only folder under `runs/`, and its id.
    static func runID(in scratch: Scratch) -> String? {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs"))) ?? []).first
    }

    static func events(_ scratch: Scratch) -> [RunEvent] { ControlCommandTests.recording(scratch)?.events ?? [] }

    /// Writes `wf.yaml`, a workflow named `name` whose tasks (YAML list items) run on the
    /// cluster, unless `onCluster` is false (the run is then told with `--executor slurm`).
    static func writeWorkflow(_ scratch: Scratch, _ name: String, onCluster: Bool = true, tasks: String) {
        _ = scratch.write("wf.yaml", "name: \(name)\n" + (onCluster ? "execution: {executor: slurm}\n" : "") + "tasks:\n" + tasks)
    }

    /// `tutti run wf.yaml --headless` in the scratch folder, started (not waited for).
    static func startRun(_ scratch: Scratch, _ extra: [String] = []) throws -> TuttiProcess {
        try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"] + extra, in: scratch.path)
    }

    /// The run's report.
    static func report(_ scratch: Scratch) throws -> RunReport {
        let id = try #require(runID(in: scratch))
        return try JSONDecoder.events.decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.file("runs/\(id)/report.json"))))
    }

    static func sightings(_ scratch: Scratch) -> [TaskOnCluster] {
        events(scratch).compactMap { event in
            if case .taskOnCluster(let job) = event.kind { return job }
            return nil
        }
    }

    @Test func fourTasksRunAtOnceAsJobsAndTheirProgressStreamsBack() async throws {
        let scratch = Scratch()
        // Each task waits until all four have started: only four jobs running at once finish.
        let barrier = "touch \(scratch.path)/started-$TUTTI_TASK_ID; echo '@tutti progress 50'; "
            + "while [ $(ls \(scratch.path) | grep -c started-) -lt 4 ]; do sleep 0.05; done; echo '@tutti metric done=1'"
        Self.writeWorkflow(scratch, "four", tasks: (1...4).map { "  - {task_id: t\($0), command: [sh, -c, \"\(barrier)\"], timeout_seconds: 60}\n" }.joined())
        let result = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Slurm job"), "\(result.stdout)")
        let seen = Self.sightings(scratch)
        #expect(Set(seen.map(\.task)) == ["t1", "t2", "t3", "t4"], "\(seen)")
        #expect(Set(seen.map(\.jobID)).count == 4, "four jobs")
        let progress = Self.events(scratch).filter { if case .taskProgress = $0.kind { return true } else { return false } }
        #expect(progress.count == 4, "each job's progress line came back")
        let decoded = try Self.report(scratch)
        let attempts = decoded.tasks.compactMap(\.attempts.first)
        #expect(Set(attempts.compactMap(\.job)).count == 4 && attempts.allSatisfy { $0.node != nil && $0.queued != nil },
                "each attempt's job, node and queue wait in the report: \(attempts)")
    }

    @Test func aPausedJobIsSuspendedOnItsNodeAndOutlivesItsTimeoutUntilResumed() async throws {
        let scratch = Scratch()
        // It runs until told to (a file), within its 5 s timeout; paused for longer than that,
        // it must not time out. (Not a sleep of its own: on a loaded machine it could end
        // before the pause arrives.)
        Self.writeWorkflow(scratch, "pausing", tasks: """
          - {task_id: nap, command: [sh, -c, "echo $$ > \(scratch.path)/pid; while [ ! -f \(scratch.path)/go ]; do sleep 0.1; done; echo woke"],
             timeout_seconds: 5}
        """)
        let run = try Self.startRun(scratch)
        try #require(await eventually { scratch.pid("pid") != nil && Self.sightings(scratch).contains { $0.state == "RUNNING" } })
        let pid = try #require(scratch.pid("pid"))
        let job = try #require(Self.sightings(scratch).first?.jobID)
        // Slurm's own time limit as well as Tutti's: 5 s and the 5 s grace are a minute for
        // Slurm, and a minute more so that Tutti's own ends it first.
        let command = Self.events(scratch).compactMap { event -> [String]? in
            if case .taskStarted(let started) = event.kind { return started.command }
            return nil
        }.first ?? []
        #expect(command.first?.hasSuffix("/srun") == true && command.contains("--time=2") && command.contains("--unbuffered"), "\(command)")
        let paused = try await tutti(["ctl", "latest", "pause", "nap", "--runs-dir", "runs"], in: scratch.path)
        #expect(paused.status == 0, "\(paused.stdout)\(paused.stderr)")
        #expect(await eventually { SlurmCluster.state(ofJob: job) == "SUSPENDED" }, "scontrol show job says SUSPENDED")
        #expect(await eventually { processState(pid) == "T" }, "its processes are stopped on the node")
        // Past the timeout while suspended: the job is still there and still suspended.
        let pausedAt = Date()
        while Date().timeIntervalSince(pausedAt) < 6 {
            try await Task.sleep(for: .milliseconds(200))
            #expect(SlurmCluster.state(ofJob: job) == "SUSPENDED")
        }
        let resumed = try await tutti(["ctl", "latest", "resume", "nap", "--runs-dir", "runs"], in: scratch.path)
        #expect(resumed.status == 0)
        #expect(FileManager.default.createFile(atPath: scratch.file("go"), contents: nil))
        let result = await run.finished()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Task nap Complete!"), "\(result.stdout)")
    }

    @Test func aFailedTaskIsRetriedAsANewJobAndACancelledOneLeavesNoJob() async throws {
        let scratch = Scratch()
        Self.writeWorkflow(scratch, "retrying", tasks: """
          - {task_id: flaky, command: [sh, -c, "test -f \(scratch.path)/second || { touch \(scratch.path)/second; exit 3; }"],
             retries: {count: 1, delay_seconds: 0.1}}
          - {task_id: forever, command: [sh, -c, "echo $$ > \(scratch.path)/pid; exec sleep 300"]}
        """)
        let run = try Self.startRun(scratch)
        try #require(await eventually { scratch.pid("pid") != nil })
        let pid = try #require(scratch.pid("pid"))
        #expect(await eventually { Set(Self.sightings(scratch).filter { $0.task == "flaky" }.map(\.jobID)).count == 2
                || Self.events(scratch).contains { if case .taskFinished(let f) = $0.kind { return f.task == "flaky" && f.attempt == 2 } else { return false } } })
        let cancelled = try await tutti(["ctl", "latest", "cancel", "forever", "--runs-dir", "runs"], in: scratch.path)
        #expect(cancelled.status == 0)
        let result = await run.finished()
        #expect(result.status == 1, "the cancelled task fails the run")
        #expect(await eventually { processIsGone(pid) }, "the cancelled job's process ended on its node")
        let id = try #require(Self.runID(in: scratch))
        #expect(await eventually { SlurmCluster.jobs(ofRun: id).isEmpty }, "no job of the run is left: \(SlurmCluster.jobs(ofRun: id))")
        let report = try Self.report(scratch)
        let flaky = try #require(report.tasks.first { $0.id == "flaky" })
        #expect(flaky.status == .succeeded && flaky.attempts.count == 2)
        let jobs = flaky.attempts.compactMap(\.job)
        #expect(jobs.count == 2 && jobs[0] != jobs[1], "each attempt its own job: \(jobs)")
        #expect(report.tasks.first { $0.id == "forever" }?.status == .cancelled)
    }

    @Test func aJobWaitingForResourcesShowsItsReasonAndItsWaitIsNotRunTime() async throws {
        let scratch = Scratch()
        // Another job holds all eight CPUs until the test lets it go.
        let blocker = try await SlurmCluster.occupyEveryCPU(in: scratch)
        defer { blocker.cancel() }
        Self.writeWorkflow(scratch, "waiting", tasks: """
          - {task_id: small, command: [sh, -c, "sleep 0.5"], slurm: {cpus: 1}}
        """)
        let run = try Self.startRun(scratch)
        #expect(await eventually { Self.sightings(scratch).contains { $0.state == "PENDING" && $0.reason == "Resources" } },
                "queued for Resources: \(Self.sightings(scratch))")
        // Waiting a while in the queue.
        try await Task.sleep(for: .seconds(2))
        blocker.release()
        let result = await run.finished()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("queued (Resources)"), "\(result.stdout)")
        _ = try #require(Self.runID(in: scratch))
        let report = try Self.report(scratch)
        let attempt = try #require(report.tasks.first?.attempts.first)
        #expect((attempt.queued ?? 0) >= 1.5, "it waited about 2 s: \(attempt.queued ?? 0)")
        // The start is known within the second between two looks at the queue (and Slurm's own
        // start, in whole seconds, never later than the real one): never less than the half
        // second it ran, never the wait.
        #expect(attempt.duration >= 0.5 && attempt.duration < 2.0, "its run time is the half second it ran, not the wait: \(attempt.duration)")
    }

    /// Six jobs waiting in the queue share one `squeue` a second (each asking on its own
    /// was six a second): a wrapper first on the PATH counts the run's calls.
    @Test func jobsWaitingInTheQueueShareOneSqueueASecond() async throws {
        let scratch = Scratch()
        let squeue = try #require(ExecutableLookup.path(of: "squeue"))
        // Written with close-on-exec: a process another test forks meanwhile must not keep it
        // open for writing, or running it fails (ETXTBSY).
        try FileManager.default.createDirectory(atPath: scratch.file("bin"), withIntermediateDirectories: true)
        let counter = open(scratch.file("bin/squeue"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        try #require(counter >= 0)
        #expect(FileIO.writeAll(counter, Array("#!/bin/sh\necho call >> '\(scratch.file("calls"))'\nexec '\(squeue)' \"$@\"\n".utf8)))
        close(counter)
        let calls = { (scratch.read("calls") ?? "").split(separator: "\n").count }
        let blocker = try await SlurmCluster.occupyEveryCPU(in: scratch)
        defer { blocker.cancel() }
        Self.writeWorkflow(scratch, "crowd", tasks: (1...6).map { "  - {task_id: t\($0), command: ['true'], slurm: {cpus: 1}}\n" }.joined())
        let run = try TuttiProcess(["PATH='\(scratch.file("bin"))':\"$PATH\" exec '\(tuttiBinary)' run wf.yaml --headless --runs-dir runs"],
                                   in: scratch.path, shell: true)
        #expect(await eventually { Set(Self.sightings(scratch).filter { $0.state == "PENDING" }.map(\.task)).count == 6 },
                "all six wait in the queue: \(Self.sightings(scratch))")
        // A rate: the calls over a few seconds of the six waiting, against the seconds measured.
        let clock = ContinuousClock()
        let (before, from) = (calls(), clock.now)
        try await Task.sleep(for: .seconds(3))
        let (during, seconds) = (calls() - before, EventBus.seconds(clock.now - from))
        #expect(during >= 2 && Double(during) <= seconds + 2, "about one squeue a second for the run, not one per waiting job: \(during) in \(seconds) s")
        blocker.release()
        let result = await run.finished()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try Self.report(scratch).tasks.allSatisfy { $0.status == .succeeded && ($0.attempts.first?.queued ?? 0) > 0 })
    }

    /// The demo on the cluster with the dashboard in a real terminal: its jobs wait in the
    /// queue (the rows say why), run four at once, a task is paused (suspended) and resumed.
    @Test(.enabled(if: DashboardTerminalTests.tmuxInstalled)) func theDemoRunsOnTheClusterInTheDashboard() async throws {
        let scratch = Scratch()
        let blocker = try await SlurmCluster.occupyEveryCPU(in: scratch)
        defer { blocker.cancel() }
        let tmux = DashboardTerminalTests.Tmux()
        defer { tmux.kill() }
        tmux.start("cd \(scratch.path) && \(tuttiBinary) run \(repositoryRoot)/workflows/demo.yaml --executor slurm --runs-dir runs; "
                   + "echo EXIT=$?; sleep 120")
        tmux.run(["resize-window", "-t", "main", "-x", "120", "-y", "40"])
        #expect(await tmux.waitFor { $0.components(separatedBy: "queued: ").count == 5 && $0.contains("queued: Resources (job") },
                "each row says its job waits, and why (Resources, or Priority behind another):\n\(tmux.screen)")
        blocker.release()
        let id = try #require(Self.runID(in: scratch))
        #expect(await eventually { SlurmCluster.jobs(ofRun: id).filter { $0.contains("|RUNNING|") }.count == 4 },
                "four jobs running at once in squeue: \(SlurmCluster.jobs(ofRun: id))")
        #expect(await tmux.waitFor { !$0.contains("queued:") && $0.contains("Security Hardening") })
        tmux.keys("j")
        tmux.keys("Enter")
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        #expect(await tmux.waitFor { $0.contains("Slurm     job") && $0.contains("RUNNING") },
                "the details name the job and its node (\(host)):\n\(tmux.screen)")
        tmux.keys("Escape")
        tmux.keys("p")
        let job = try #require(Self.sightings(scratch).first { $0.task == "5" }?.jobID)
        #expect(await eventually { SlurmCluster.state(ofJob: job) == "SUSPENDED" }, "p suspends task 5's job")
        #expect(await tmux.waitFor { $0.contains("PAUSED") || $0.contains("paused") })
        tmux.keys("p")
        #expect(await eventually { SlurmCluster.state(ofJob: job) == "RUNNING" }, "p again resumes it")
        #expect(await tmux.waitFor(60) { $0.contains("PASSED") || $0.contains("4/4") }, "\(tmux.screen)")
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=0") }, "\(tmux.screen)")
    }

    /// The seed's template 3 on the cluster: the four real agents as jobs, the same gates as
    /// when they run here.
    @Test(.enabled(if: QualityReportTests.pytestWithCoverage)) func theQualityReportRunsOnTheClusterWithTheSameGates() async throws {
        try await QualityReportTests.checkTheQualityReport(executor: ["--executor", "slurm"])
    }

    @Test func aJobPausedWhileQueuedIsHeldAndOneCancelledElsewhereEndsCancelled() async throws {
        let scratch = Scratch()
        let blocker = try await SlurmCluster.occupyEveryCPU(in: scratch)
        defer { blocker.cancel() }
        Self.writeWorkflow(scratch, "held", tasks: """
          - {task_id: later, command: [sh, -c, "echo ran > \(scratch.path)/ran"]}
          - {task_id: victim, command: [sh, -c, "echo $$ > \(scratch.path)/victim; exec sleep 300"], depends_on: [later]}
        """)
        // Inside an allocation of its own (sbatch, salloc), Tutti's jobs are still jobs of their own.
        let run = try TuttiProcess(["SLURM_JOB_ID=999999 SLURM_JOBID=999999 exec \(tuttiBinary) run wf.yaml --headless --runs-dir runs"],
                                   in: scratch.path, shell: true)
        try #require(await eventually { Self.sightings(scratch).contains { $0.task == "later" && $0.state == "PENDING" } })
        let paused = try await tutti(["ctl", "latest", "pause", "later", "--runs-dir", "runs"], in: scratch.path)
        #expect(paused.status == 0)
        let job = try #require(Self.sightings(scratch).first { $0.task == "later" }?.jobID)
        #expect(await eventually { SlurmCluster.state(ofJob: job, field: "Reason")?.hasPrefix("JobHeld") == true },
                "a queued job is held (JobHeldUser, or JobHeldAdmin when Tutti runs as root)")
        blocker.release()
        // Held, it stays in the queue once the cluster is free.
        #expect(await eventually { SlurmCluster.state(ofJob: blocker.job).map { $0 != "RUNNING" } ?? true }, "the CPUs are free")
        try await Task.sleep(for: .seconds(1.5))
        #expect(SlurmCluster.state(ofJob: job) == "PENDING" && !FileManager.default.fileExists(atPath: scratch.file("ran")))
        let resumed = try await tutti(["ctl", "latest", "resume", "later", "--runs-dir", "runs"], in: scratch.path)
        #expect(resumed.status == 0)
        try #require(await eventually { scratch.pid("victim") != nil }, "released, it ran, and the task after it started")
        // Its job is named in the recording once the queue has been looked at.
        try #require(await eventually { Self.sightings(scratch).contains { $0.task == "victim" } })
        let victim = try #require(Self.sightings(scratch).last { $0.task == "victim" }?.jobID)
        ChildProcess.run(["scancel", victim])
        let result = await run.finished()
        #expect(result.status == 1)
        #expect(result.stdout.contains("Task victim Cancelled") && result.stdout.contains("was cancelled on the cluster"), "\(result.stdout)")
    }

    @Test func resumingARunWhoseWatchdogDiedWithItCancelsTheJobsItLeft() async throws {
        let scratch = Scratch()
        // The workflow says nothing of a cluster: the run was told, and its resume goes on there.
        Self.writeWorkflow(scratch, "stranded", onCluster: false, tasks: """
          - {task_id: a, command: [sh, -c, "test -f \(scratch.path)/done && exit 0; echo $$ > \(scratch.path)/a; exec sleep 300"]}
        """)
        let run = try Self.startRun(scratch, ["--executor", "slurm"])
        try #require(await eventually { scratch.pid("a") != nil && !Self.sightings(scratch).isEmpty })
        let id = try #require(Self.runID(in: scratch))
        let oldJob = try #require(Self.sightings(scratch).first?.jobID)
        // The run's watchdog first, then the run: nothing is left to cancel the job.
        let tuttiPID = run.process.processIdentifier
        let watchdogs = ResumeCommandTests.children(of: tuttiPID).filter {
            ((try? String(contentsOfFile: "/proc/\($0)/stat", encoding: .utf8)) ?? "").contains("(tutti-watchdog)")
        }
        try #require(watchdogs.count == 1, "the run's watchdog: \(watchdogs)")
        kill(watchdogs[0], SIGKILL)
        kill(tuttiPID, SIGKILL)
        _ = await run.finished()
        #expect(SlurmCluster.state(ofJob: oldJob) == "RUNNING", "the job runs on, unsupervised")
        #expect(FileManager.default.createFile(atPath: scratch.file("done"), contents: nil))
        let resumed = try await tutti(["resume", "latest", "--headless", "--runs-dir", "runs"], in: scratch.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(await eventually { SlurmCluster.state(ofJob: oldJob).map { $0 != "RUNNING" } ?? true },
                "the old job was cancelled: \(SlurmCluster.state(ofJob: oldJob) ?? "gone")")
        #expect(await eventually { SlurmCluster.jobs(ofRun: id).allSatisfy { !$0.contains("|RUNNING|") } })
        let jobs = Set(Self.sightings(scratch).filter { $0.task == "a" }.map(\.jobID))
        #expect(jobs.count == 2 && jobs.contains(oldJob), "the task ran again as a job of its own: \(jobs)")
    }

    @Test func killingTuttiLeavesNoJobBehind() async throws {
        let scratch = Scratch()
        Self.writeWorkflow(scratch, "orphans", tasks: """
          - {task_id: a, command: [sh, -c, "echo $$ > \(scratch.path)/a; exec sleep 300"]}
          - {task_id: b, command: [sh, -c, "echo $$ > \(scratch.path)/b; exec sleep 300"]}
        """)
        let run = try Self.startRun(scratch)
        try #require(await eventually { scratch.pid("a") != nil && scratch.pid("b") != nil })
        let id = try #require(Self.runID(in: scratch))
        #expect(SlurmCluster.jobs(ofRun: id).count == 2)
        kill(run.process.processIdentifier, SIGKILL)
        _ = await run.finished()
        #expect(await eventually { SlurmCluster.jobs(ofRun: id).isEmpty }, "its jobs were cancelled: \(SlurmCluster.jobs(ofRun: id))")
        for name in ["a", "b"] {
            let pid = try #require(scratch.pid(name))
            #expect(await eventually { processIsGone(pid) }, "task \(name)'s process ended on its node")
        }
    }
}

/// Without Slurm's commands, a run asked to use them says so before anything starts.
@Suite struct SlurmMissingTests {
    @Test func withoutSlurmOnThisMachineTheRunSaysSoBeforeItStarts() async throws {
        let scratch = Scratch()
        _ = scratch.write("wf.yaml", "name: nowhere\ntasks:\n  - {task_id: a, command: ['true']}\n")
        let hidden = try await offThePool {
            try TuttiProcess(["PATH=/nonexistent exec \(tuttiBinary) run wf.yaml --headless --executor slurm --runs-dir runs"],
                             in: scratch.path, shell: true).finish()
        }
        #expect(hidden.status == ExitStatus.invalidInput, "\(hidden.stderr)")
        #expect(hidden.stderr.contains("srun is not on the PATH"), "\(hidden.stderr)")
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs"))) ?? []
        #expect(runs.isEmpty, "nothing started: \(runs)")
    }
}
