import Foundation

/// Turns a task's spec into what its attempt runs: the argv (a built-in agent as
/// `tutti agent NAME --parameters JSON`, a shell command as `/bin/sh -c`), the program found
/// on the PATH once per run, the environment with `TUTTI_*` set, the working directory.
struct TaskLauncher {
    let runID: String
    let directory: RunDirectory
    let workflow: Workflow
    let options: RunOptions
    let baseEnvironment = ProcessInfo.processInfo.environment
    var executables = ExecutableLookup()

    /// What attempt `attempt` of `task` runs.
    mutating func launchSpec(for task: TaskSpec, attempt: Int) -> LaunchSpec {
        var environment = baseEnvironment
        for (key, value) in task.environment { environment[key] = value }
        environment["TUTTI_RUN_ID"] = runID
        environment["TUTTI_RUN_DIR"] = directory.path
        environment["TUTTI_TASK_ID"] = task.id
        environment["TUTTI_ATTEMPT"] = String(attempt)
        var argv: [String]
        switch task.launch {
        case .command(let command): argv = command
        case .shell(let script): argv = ["/bin/sh", "-c", script]
        case .agent(let name):
            let parameters = (try? JSONEncoder.sortedCompact.encode(JSONValue.object(task.parameters)))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            argv = [options.agentExecutable, "agent", name, "--parameters", parameters]
        }
        if let program = argv.first {
            argv[0] = executables.resolve(program, searchPath: environment["PATH"])
        }
        var directoryPath = task.workingDirectory
        if let relative = directoryPath, !relative.hasPrefix("/") {
            directoryPath = (workflow.baseDirectory as NSString).appendingPathComponent(relative)
        }
        guard executor == .slurm else { return LaunchSpec(argv: argv, environment: environment, workingDirectory: directoryPath) }
        // On the cluster: the same command as a Slurm job, its output streamed back by srun.
        let submission = SlurmSubmission(runID: runID, task: task.id, attempt: attempt)
        var options = task.slurm.over(workflow.execution.slurm)
        if options.time == nil, let timeout = task.timeoutSeconds {
            // Slurm's own limit as well as Tutti's, in whole minutes, a minute past Tutti's
            // timeout and grace: Tutti's own ends the task first, with its own reason.
            options.time = String(Int(((timeout + self.options.killGrace) / 60).rounded(.up)) + 1)
        }
        // Runtimes that buffer a pipe's output (Python) write each line as it comes.
        environment["PYTHONUNBUFFERED"] = "1"
        environment = SlurmSubmission.environment(environment)
        let directory = directoryPath ?? FileManager.default.currentDirectoryPath
        let srun = [executables.resolve("srun", searchPath: environment["PATH"]), "--unbuffered", "--quiet", "--ntasks=1",
                    "--job-name=\(submission.jobName)", "--comment=\(submission.comment)", "--export=ALL",
                    "--chdir=\(directory)"] + options.arguments + ["--"]
        // Where the folder does not exist on the node, Slurm would run the task in /tmp: it
        // fails instead, saying so.
        let inFolder = ["/bin/sh", "-c", "cd \"$1\" || exit 1; shift; exec \"$@\"", "tutti-cd", directory]
        return LaunchSpec(argv: srun + inFolder + argv, environment: environment, workingDirectory: directoryPath, slurm: submission)
    }

    /// Where the tasks run: as the run was told, else as the workflow says.
    var executor: Executor { options.executor(for: workflow) }

    /// Where a task's result file goes: the run directory, and the original template's
    /// `.conductor/task-results/` when asked for.
    func resultPaths(task id: String) -> [String] {
        var paths = [directory.resultPath(task: id)]
        if let root = options.compatibilityOutputDirectory { paths.append("\(root)/.conductor/task-results/task-\(id).json") }
        return paths
    }
}
