import Foundation

/// What a Python project says about itself: where its shipped code is, where its tests are,
/// and how it measures coverage — read from its layout and its configuration files, the way
/// coverage.py and pytest read them.
struct PythonProject: Sendable {
    let root: String
    /// The file coverage.py reads its settings from, when there is one.
    let coverageFile: String?
    /// coverage.py's `[run]` settings, from that file.
    let coverage: ConfigSection?
    /// coverage.py's `[report]` settings, from the same file as `coverage`.
    let coverageReport: ConfigSection?
    /// pytest's settings, from the first file that has them.
    let pytest: ConfigSection?
    /// Whether the project runs its tests with unittest, not pytest: its tox.ini or Makefile
    /// runs `python -m unittest`, and nothing configures pytest (no settings, no conftest.py).
    /// pytest would not run what a `load_tests` function adds (doctests, most often).
    let runsUnittest: Bool
    /// The shipped code: package folders and top-level modules, relative to the root.
    let packages: [String]
    /// Whether the code lives under `src/`.
    let srcLayout: Bool
    /// The packages at the top of the repository (beside `src/`, in a src layout).
    let topLevelPackages: [String]

    init(root: String) {
        self.root = root
        // coverage.py reads .coveragerc when there is one, else the first of setup.cfg, tox.ini
        // and pyproject.toml that has its sections.
        let fileManager = FileManager.default
        func text(_ name: String) -> String { (try? String(contentsOfFile: "\(root)/\(name)", encoding: .utf8)) ?? "" }
        let configFile: String? = fileManager.fileExists(atPath: "\(root)/.coveragerc") ? ".coveragerc"
            : ["setup.cfg", "tox.ini"].first { text($0).contains("[coverage:") }
            ?? (text("pyproject.toml").contains("[tool.coverage") ? "pyproject.toml" : nil)
        func section(_ kind: String) -> ConfigSection? {
            guard let configFile else { return nil }
            switch configFile {
            case ".coveragerc":
                return ConfigSection.read(configFile, section: kind, root: root) ?? ConfigSection.read(configFile, section: "coverage:\(kind)", root: root)
            case "pyproject.toml": return ConfigSection.read(configFile, section: "tool.coverage.\(kind)", root: root)
            default: return ConfigSection.read(configFile, section: "coverage:\(kind)", root: root)
            }
        }
        coverageFile = configFile
        coverage = section("run")
        coverageReport = section("report")
        // pytest's own order (9.0): pytest.toml, pytest.ini, then pyproject.toml's [tool.pytest]
        // (native TOML) or [tool.pytest.ini_options], tox.ini, setup.cfg.
        pytest = ConfigSection.read("pytest.toml", section: "pytest", root: root)
            ?? ConfigSection.read(".pytest.toml", section: "pytest", root: root)
            ?? ConfigSection.read("pytest.ini", section: "pytest", root: root)
            ?? ConfigSection.read(".pytest.ini", section: "pytest", root: root)
            ?? ConfigSection.read("pyproject.toml", section: "tool.pytest.ini_options", root: root)
            ?? Self.nativePytestTable(root: root)
            ?? ConfigSection.read("tox.ini", section: "pytest", root: root)
            ?? ConfigSection.read("setup.cfg", section: "tool:pytest", root: root)
        let conftest = ["conftest.py", "tests/conftest.py", "test/conftest.py"].contains { fileManager.fileExists(atPath: "\(root)/\($0)") }
        let toxCommands = ConfigSection.read("tox.ini", section: "testenv", root: root)?["commands"].joined(separator: " ") ?? ""
        runsUnittest = pytest == nil && !conftest
            && [toxCommands, text("Makefile")].contains { $0.contains("-m unittest") && !$0.contains("pytest") }
        func isPackage(_ folder: String) -> Bool { fileManager.fileExists(atPath: "\(root)/\(folder)/__init__.py") }
        var found: [String] = []
        let src = (try? fileManager.contentsOfDirectory(atPath: "\(root)/src")) ?? []
        for name in src.sorted() where !name.hasPrefix(".") {
            if isPackage("src/\(name)") { found.append("src/\(name)") }
            if name.hasSuffix(".py"), name != "__init__.py" { found.append("src/\(name)") }
        }
        srcLayout = !found.isEmpty
        var topLevel: [String] = []
        for name in ((try? fileManager.contentsOfDirectory(atPath: root)) ?? []).sorted() where !name.hasPrefix(".") && name != "src" {
            if isPackage(name), ProjectLayout.role(ofFolder: name) == .shipped {
                topLevel.append(name)
                if !srcLayout { found.append(name) }
            }
            if !srcLayout, name.hasSuffix(".py"), !Self.toolingModules.contains(name), !SourceFile.isTestPath(name) { found.append(name) }
        }
        topLevelPackages = topLevel
        packages = found
    }

    /// pyproject.toml's `[tool.pytest]` (pytest 9's native TOML table), when it sets anything:
    /// a dotted key such as `tool.pytest.ini_options` alone does not make one.
    static func nativePytestTable(root: String) -> ConfigSection? {
        guard let table = ConfigSection.read("pyproject.toml", section: "tool.pytest", root: root), !table.values.isEmpty else { return nil }
        return table
    }

    /// Top-level Python files that build, test or document a project rather than ship with it.
    static let toolingModules: Set<String> = ["setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "dodo.py",
                                              "manage.py", "docs.py", "conf.py"]

    /// The project's coverage settings for what is measured and reported, without its
    /// `[paths]` (which only combining data from other machines needs, and which a newer
    /// coverage.py may refuse): a configuration file to read the data with, when the
    /// project's own cannot be read.
    func coverageSettingsWithoutPaths() -> String? {
        guard coverageFile != nil else { return nil }
        var run = coverage ?? ConfigSection(file: coverageFile ?? "", name: "run", values: [:])
        if let override = sourceOverride() {
            run.values["source"] = override.sources
            run.values["source_pkgs"] = nil
        }
        return run.iniText(as: "run", leaving: ["parallel", "patch"]) + "\n" + (coverageReport?.iniText(as: "report", leaving: ["fail_under"]) ?? "")
    }

    /// pytest's `testpaths`: where the project keeps its tests.
    var testPaths: [String] { pytest?["testpaths"].flatMap { $0.split(separator: " ").map(String.init) } ?? [] }

    /// pytest's `addopts`, as one string.
    var pytestOptions: String { pytest?["addopts"].joined(separator: " ") ?? "" }

    /// Where coverage.py's settings come from, as the report says it.
    var coverageConfiguration: String {
        coverage.map { "\($0.file) [\($0.name)]" + ($0.flag("branch") == true ? ", branch = true" : "") } ?? coverageFile ?? "none"
    }

    /// Whether the project measures branches (coverage.py's `branch = true`).
    var measuresBranches: Bool { coverage?.flag("branch") ?? false }

    /// What coverage.py should measure, and why, when the project's own settings would not
    /// measure its shipped code (or say nothing): the packages to pass as `--source`, or nil
    /// to keep the project's settings as they are.
    func sourceOverride() -> (sources: [String], note: String)? {
        let configured = (coverage?["source"] ?? []) + (coverage?["source_pkgs"] ?? [])
        if !configured.isEmpty {
            let kept = configured.filter { isShippedCode($0) }
            let dropped = configured.filter { !kept.contains($0) }
            if dropped.isEmpty { return nil }
            let why = dropped.map { isTestFolder($0) ? "\($0) (tests)" : "\($0) (not in this repository)" }.joined(separator: ", ")
            if !kept.isEmpty { return (kept, "\(coverage!.file) also names \(why): measured \(kept.joined(separator: ", ")) only") }
            guard !packages.isEmpty else { return nil }
            return (packages.map(sourceName), "\(coverage!.file) names \(why): measured the shipped code, \(packages.joined(separator: ", "))")
        }
        if !(coverage?["include"] ?? []).isEmpty { return nil }
        // pytest-cov's `--cov=pkg` in addopts says what the project measures.
        let named = pytestOptions.split(separator: " ").compactMap { word -> String? in
            guard word.hasPrefix("--cov=") else { return nil }
            return String(word.dropFirst("--cov=".count))
        }.filter { isShippedCode($0) }
        if !named.isEmpty { return (named, "pytest's addopts names --cov=\(named.joined(separator: ",")): measured \(named.joined(separator: ", "))") }
        guard !packages.isEmpty else { return nil }
        let origin = coverageFile.map { "\($0) sets no source" } ?? "no coverage configuration"
        return (packages.map(sourceName), "\(origin): measured the shipped code, \(packages.joined(separator: ", "))")
    }

    /// How coverage.py's `--source` names a package folder or module: a folder by its path, a
    /// module by its import name.
    func sourceName(_ package: String) -> String {
        guard package.hasSuffix(".py") else { return package }
        return String((package as NSString).lastPathComponent.dropLast(3))
    }

    /// Whether a configured source entry is this project's shipped code: a folder or module
    /// in the repository (or under `src/`), not its tests.
    func isShippedCode(_ entry: String) -> Bool {
        guard !isTestFolder(entry) else { return false }
        let path = entry.replacingOccurrences(of: ".", with: "/")
        let fileManager = FileManager.default
        return [entry, path, "src/\(path)", "\(path).py", "src/\(path).py"].contains { fileManager.fileExists(atPath: "\(root)/\($0)") }
    }

    func isTestFolder(_ entry: String) -> Bool {
        let path = entry.replacingOccurrences(of: ".", with: "/")
        return SourceFile.isTestPath(path + "/x.py") || testPaths.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
