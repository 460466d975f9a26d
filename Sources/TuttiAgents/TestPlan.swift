import Foundation
import TuttiCore

/// How the testing agent runs a project's tests and measures their coverage: the runner's
/// command, and where the figure will come from — which tool, which sources, which
/// configuration — so the log and the findings can say.
public struct TestPlan: Sendable, Equatable {
    public var runner: String
    public var command: [String]
    /// Extra environment for the command (coverage data file, caches kept out of the tree).
    public var environment: [String: String] = [:]
    /// Where the run will leave JUnit XML, when it will.
    public var junitFile: String?
    /// How coverage is measured, when it is.
    public var coverage: CoverageSetup?
    /// Why there will be no coverage, when there will not.
    public var noCoverage: String?
    /// Go: the module path, so failures' files are told from the repository's root.
    public var goModule: String?
    /// A command that prints how many tests the run will run, for a runner that does not say
    /// before it starts (unittest): progress is then tests done of that many.
    public var countCommand: [String]?

    /// What the coverage figure counts: Go's statements, every other runner's lines.
    public var coverageUnit: String { runner == "go" ? "statement" : "line" }

    /// Where a coverage figure comes from.
    public struct CoverageSetup: Sendable, Equatable {
        /// The tool that measures: "coverage.py", "nyc", "go test -coverprofile", "llvm-cov"...
        public var tool: String
        /// The file the figure is read from once the run (and `finish`) is done.
        public var file: String
        /// What is measured, in words: "src/itsdangerous", "the module's packages".
        public var sources: String
        /// The project's configuration that applies: "pyproject.toml [tool.coverage.run]", or "none".
        public var configuration: String
        /// Why the measured sources differ from what the configuration says, when they do.
        public var note: String?
        /// coverage.py: the folder of its data files, to combine when the run left several.
        public var dataFolder: String?
        /// Commands to run after the tests, in order, to write `file` (coverage.py's json report).
        public var finish: [[String]] = []
    }
}

extension TestingAgent {
    /// The command to run: the `command` parameter, or the runner the project's files call for.
    public func plan() -> TestPlan? {
        let findings = context.findingsDirectory
        if let custom = context.parameters["command"] {
            let argv: [String]
            switch custom {
            case .string(let text): argv = ["/bin/sh", "-c", text]
            case .array(let items): argv = items.compactMap(\.string)
            default: return nil
            }
            var plan = TestPlan(runner: "custom", command: argv)
            if let file = context.string("coverage_file") {
                let path = file.hasPrefix("/") ? file : "\(context.target)/\(file)"
                plan.coverage = .init(tool: "the command", file: path, sources: "what the command measures",
                                      configuration: "the coverage_file parameter")
            } else {
                plan.noCoverage = "give 'coverage_file' to read the coverage the command writes"
            }
            return plan
        }
        if exists("Package.swift") { return swiftPlan() }
        if exists("pyproject.toml") || exists("pytest.ini") || exists("setup.cfg") || exists("conftest.py") || exists("tests") && pythonFiles() {
            return pythonPlan(findings: findings)
        }
        if exists("go.mod") {
            let profile = "\(findings)/go.coverprofile"
            let module = goModulePath()
            return TestPlan(runner: "go", command: ["go", "test", "-v", "-coverprofile=\(profile)", "./..."],
                            coverage: .init(tool: "go test -coverprofile", file: profile,
                                            sources: "the packages of module \(module ?? "(unnamed)")", configuration: "go.mod"),
                            goModule: module)
        }
        if exists("Cargo.toml") {
            return TestPlan(runner: "cargo", command: ["cargo", "test"], noCoverage: "cargo test writes no coverage (cargo llvm-cov does)")
        }
        if exists("package.json") { return javaScriptPlan(findings: findings) }
        return nil
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(context.target)/\(name)") }

    func pythonFiles() -> Bool {
        ((try? FileManager.default.subpathsOfDirectory(atPath: "\(context.target)/tests")) ?? []).contains { $0.hasSuffix(".py") }
    }

    // MARK: - Swift

    func swiftPlan() -> TestPlan {
        // The developer's own build folder when there is one; else one under .tutti/, so the
        // check leaves nothing else in the tree.
        let scratch = exists(".build") ? nil : ".tutti/swift-build"
        let buildFolder = "\(context.target)/\(scratch ?? ".build")"
        let package = (try? String(contentsOfFile: "\(context.target)/Package.swift", encoding: .utf8))
            .flatMap { NSRegularExpression.known(#"name:\s*"([^"]+)""#).groups(in: $0)?.first } ?? "package"
        return TestPlan(runner: "swift", command: ["swift", "test", "--enable-code-coverage"] + (scratch.map { ["--scratch-path", $0] } ?? []),
                        coverage: .init(tool: "llvm-cov (swift test --enable-code-coverage)", file: "\(buildFolder)/debug/codecov/\(package).json",
                                        sources: "the package's own sources (not Tests/ nor dependencies)", configuration: "Package.swift"))
    }

    // MARK: - Python

    /// pytest, or unittest for a project that runs its tests with it (`python -m unittest`,
    /// discovering them from its root), each under coverage.py.
    func pythonPlan(findings: String) -> TestPlan {
        let project = PythonProject(root: context.target)
        let runner = project.runsUnittest ? "unittest" : "pytest"
        var arguments: [String]
        var environment: [String: String] = [:]
        var junit: String?
        var count: [String]?
        if project.runsUnittest {
            arguments = ["-m", "unittest", "-v"]
            // unittest does not say how many tests it will run: its own discovery counts them
            // (load_tests's additions included).
            count = ["python3", "-c", "import unittest; print(unittest.defaultTestLoader.discover('.').countTestCases())"]
        } else {
            let junitFile = "\(findings)/pytest-junit.xml"
            junit = junitFile
            arguments = ["-m", "pytest", "-v", "--junitxml=\(junitFile)", "-o", "cache_dir=\(findings)/pytest-cache"]
            // Plugins' caches go with the findings, not into the tree (hypothesis's examples, pytest-benchmark's runs).
            environment["HYPOTHESIS_STORAGE_DIRECTORY"] = "\(findings)/hypothesis"
            if Self.pythonHas("pytest_benchmark") { arguments.append("--benchmark-storage=file://\(findings)/benchmarks") }
        }
        if project.srcLayout {
            // The tests exercise the working tree's code, not an installed copy of it.
            let inherited = ProcessInfo.processInfo.environment["PYTHONPATH"].map { ":" + $0 } ?? ""
            environment["PYTHONPATH"] = "\(context.target)/src" + inherited
        }
        guard Self.pythonHas("coverage") else {
            return TestPlan(runner: runner, command: ["python3"] + arguments, environment: environment, junitFile: junit,
                            noCoverage: "coverage.py is not installed (pip install coverage)", countCommand: count)
        }
        // A late plugin (pytest-cov) would start measuring after the package is imported.
        if !project.runsUnittest, project.pytestOptions.contains("--cov"), Self.pythonHas("pytest_cov") { arguments.append("--no-cov") }
        let dataFile = "\(findings)/coverage-data/.coverage"
        environment["COVERAGE_FILE"] = dataFile
        var run = ["python3", "-m", "coverage", "run"]
        let override = project.sourceOverride()
        if let override { run.append("--source=\(override.sources.joined(separator: ","))") }
        let sources = override?.sources.joined(separator: ", ")
            ?? ((project.coverage?["source"] ?? []) + (project.coverage?["source_pkgs"] ?? []) + (project.coverage?["include"] ?? []))
                .joined(separator: ", ")
        let json = "\(findings)/coverage.json"
        return TestPlan(runner: runner, command: run + arguments, environment: environment, junitFile: junit,
                        coverage: .init(tool: "coverage.py (coverage run -m \(runner))", file: json,
                                        sources: sources.isEmpty ? "what the tests import from this folder" : sources,
                                        configuration: project.coverageConfiguration, note: override?.note,
                                        dataFolder: (dataFile as NSString).deletingLastPathComponent,
                                        finish: [["python3", "-m", "coverage", "json", "-o", json, "--quiet"]]),
                        countCommand: count)
    }

    // MARK: - JavaScript

    func javaScriptPlan(findings: String) -> TestPlan {
        let package = (FileManager.default.contents(atPath: "\(context.target)/package.json"))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        let scripts = package["scripts"] as? [String: Any] ?? [:]
        let dependencies = (package["devDependencies"] as? [String: Any] ?? [:]).merging(package["dependencies"] as? [String: Any] ?? [:]) { a, _ in a }
        let test = scripts["test"] as? String ?? ""
        let allScripts = scripts.values.compactMap { $0 as? String }.joined(separator: "\n")
        let summary = "\(findings)/coverage/coverage-summary.json"
        func tool(_ name: String) -> String? {
            let local = "\(context.target)/node_modules/.bin/\(name)"
            return FileManager.default.isExecutableFile(atPath: local) ? local : ExecutableLookup.path(of: name)
        }
        let configuration = ["package.json" + (package["nyc"] != nil ? " \"nyc\"" : package["c8"] != nil ? " \"c8\"" : ""),
                             [".nycrc", ".nycrc.json", ".c8rc", ".c8rc.json"].first(where: exists)].compactMap { $0 }.joined(separator: ", ")
        if test.contains("jest") {
            // The project's own coverageThreshold would fail the run; the gate judges the figure.
            return TestPlan(runner: "npm", command: ["npm", "test", "--silent", "--", "--coverage", "--coverageReporters=json-summary",
                                                     "--coverageDirectory=\(findings)/coverage", "--coverageThreshold={}"],
                            coverage: .init(tool: "jest --coverage", file: summary, sources: "jest's collectCoverageFrom",
                                            configuration: configuration))
        }
        let wantsC8 = dependencies["c8"] != nil || allScripts.contains("c8 ")
        let wantsNyc = dependencies["nyc"] != nil || allScripts.contains("nyc ")
        // A test script that is itself `nyc mocha` or `c8 node --test`: its command runs under our
        // own call of the tool (one measurement, not one inside another), keeping its include options.
        let wrapped = CoverageToolScript(test)
        var environment: [String: String] = [:]
        var testCommand = ["npm", "test", "--silent"]
        var keptOptions: [String] = []
        if let wrapped {
            testCommand = ["/bin/sh", "-c", wrapped.command]
            keptOptions = wrapped.options
            let inherited = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            environment["PATH"] = "\(context.target)/node_modules/.bin:" + inherited
        }
        if wantsC8 && wrapped?.tool != "nyc" || wrapped?.tool == "c8", let c8 = tool("c8") {
            return TestPlan(runner: "npm", command: [c8, "--reporter=json-summary", "--reports-dir=\(findings)/coverage", "--check-coverage=false",
                                                     "--temp-directory=\(findings)/c8-output"] + keptOptions + testCommand,
                            environment: environment,
                            coverage: .init(tool: "c8", file: summary, sources: "c8's include and exclude", configuration: configuration))
        }
        if let nyc = tool("nyc"), wantsNyc || !wantsC8 {
            return TestPlan(runner: "npm", command: [nyc, "--reporter=json-summary", "--report-dir=\(findings)/coverage", "--check-coverage=false",
                                                     "--temp-dir=\(findings)/nyc-output", "--cache-dir=\(findings)/nyc-cache"]
                                + keptOptions + testCommand,
                            environment: environment,
                            coverage: .init(tool: "nyc", file: summary, sources: "nyc's include and exclude",
                                            configuration: wantsNyc ? configuration : "none (nyc's defaults)"))
        }
        let missing = wantsC8 ? "c8" : "nyc"
        return TestPlan(runner: "npm", command: ["npm", "test", "--silent"],
                        noCoverage: "\(missing) is not installed (npm install, or install \(missing) on the PATH)")
    }

    // MARK: - Go

    func goModulePath() -> String? {
        guard let text = try? String(contentsOfFile: "\(context.target)/go.mod", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("module ") }
            .map { $0.dropFirst("module ".count).trimmingCharacters(in: .whitespaces) }
    }

    static func pythonHas(_ module: String) -> Bool {
        ChildProcess.run(["python3", "-c", "import \(module)"]).status == 0
    }
}

/// An npm test script run under a coverage tool (`nyc --reporter=lcov mocha test/`): the tool,
/// the options that choose what it measures (kept), and the command it runs. Its reporters,
/// folders and thresholds are left out: tutti asks for its own.
struct CoverageToolScript: Equatable {
    let tool: String
    let options: [String]
    let command: String

    /// Options that take a value as the next word.
    static let valueOptions: Set<String> = ["--reporter", "-r", "--report-dir", "--reports-dir", "-o", "--temp-dir", "-t",
                                            "--temp-directory", "--include", "-n", "--exclude", "-x", "--extension", "-e", "--require",
                                            "-i", "--cwd", "--nycrc-path", "--src", "--branches", "--lines", "--functions", "--statements"]
    /// Options that choose what is measured: kept.
    static let measuring: Set<String> = ["--include", "-n", "--exclude", "-x", "--extension", "-e", "--require", "-i", "--all", "-a",
                                         "--src", "--exclude-after-remap", "--exclude-node-modules", "--nycrc-path", "--cwd"]

    init(tool: String, options: [String], command: String) {
        self.tool = tool
        self.options = options
        self.command = command
    }

    init?(_ script: String) {
        var words = script.split(separator: " ").map(String.init)
        guard let first = words.first, ["nyc", "c8"].contains((first as NSString).lastPathComponent) else { return nil }
        tool = (first as NSString).lastPathComponent
        words.removeFirst()
        var kept: [String] = []
        while let word = words.first, word.hasPrefix("-") {
            words.removeFirst()
            let name = String(word.split(separator: "=", maxSplits: 1).first ?? "")
            var option = [word]
            if !word.contains("="), Self.valueOptions.contains(name), let value = words.first {
                option.append(value)
                words.removeFirst()
            }
            if Self.measuring.contains(name) { kept += option }
        }
        guard !words.isEmpty else { return nil }
        options = kept
        command = words.joined(separator: " ")
    }
}
