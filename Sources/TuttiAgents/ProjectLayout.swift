import Foundation

/// The part a file plays in a repository.
public enum FileRole: String, Sendable, Codable, CaseIterable {
    /// Code that ships: what users of the project run.
    case shipped
    /// Tests, their fixtures and data, type-check and benchmark code.
    case test
    /// Examples and samples of how to use the project.
    case example
    /// Documentation: docs folders, READMEs, changelogs.
    case documentation
    /// Build, CI and maintenance scripts.
    case tooling
}

/// Tells shipped code from tests, fixtures, examples, documentation and tooling, by each
/// ecosystem's conventions and by the repository's own test configuration (pytest's
/// `testpaths`, the folders package.json's test script names).
public struct ProjectLayout: Sendable {
    /// Folders the project's test configuration names, relative to the root.
    public let testPaths: [String]
    /// The repository, when the layout may look at it (a `test/` folder that is a Python package
    /// inside another ships, as Django's `django/test/` does).
    let root: String?
    /// A Python project with its code under `src/`: it ships what is there, and its other
    /// Python files (maintenance tasks, scripts) are its tooling.
    let pythonSrcLayout: Bool

    public init(testPaths: [String] = [], root: String? = nil, pythonSrcLayout: Bool = false) {
        self.testPaths = testPaths.map { $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 }
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty && $0 != "." }
        self.root = root
        self.pythonSrcLayout = pythonSrcLayout
    }

    /// The layout of the repository at `root`, its test configuration read.
    public init(root: String) {
        let python = PythonProject(root: root)
        var paths = python.testPaths
        if let data = FileManager.default.contents(atPath: "\(root)/package.json"),
           let package = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let test = (package["scripts"] as? [String: Any])?["test"] as? String {
            paths += Self.testFolders(inScript: test, root: root)
        }
        let build = ["pyproject.toml", "setup.cfg", "setup.py"].compactMap { try? String(contentsOfFile: "\(root)/\($0)", encoding: .utf8) }
        // Unless the build names a package at the top as well (`packages=["core", "plugin"]`
        // beside `package_dir`), as a quoted name: packaging's tasks/ is named only in a
        // linter's `"tasks/*.py"`, and is its maintainers'.
        let shipsFromTheTop = python.topLevelPackages.contains { name in
            build.contains { $0.contains("\"\(name)\"") || $0.contains("'\(name)'") }
        }
        self.init(testPaths: paths, root: root, pythonSrcLayout: !build.isEmpty && python.srcLayout && !shipsFromTheTop)
    }

    /// Test runners whose arguments name test folders: `mocha --reporter spec test/`.
    static let scriptTestRunners: Set<String> = ["mocha", "_mocha", "jest", "ava", "tap", "tape", "vitest", "jasmine", "lab", "uvu"]

    /// The folders a test runner in an npm script is given: flags, globs and files are not
    /// folders, a source folder (`jest src`) holds more than tests, and words of another
    /// command (`cd backend && npm test`) are not the runner's.
    static func testFolders(inScript script: String, root: String) -> [String] {
        var found: [String] = []
        for command in script.components(separatedBy: CharacterSet(charactersIn: "&|;")) {
            let words = command.split(separator: " ").map(String.init)
            guard let runner = words.firstIndex(where: { scriptTestRunners.contains(($0 as NSString).lastPathComponent) }) else { continue }
            found += words[(runner + 1)...].filter { word in
                var isFolder: ObjCBool = false
                let name = word.trimmingCharacters(in: CharacterSet(charactersIn: "./"))
                return !word.hasPrefix("-") && !word.contains("*") && !name.isEmpty && !sourceFolders.contains(name.lowercased())
                    && FileManager.default.fileExists(atPath: "\(root)/\(word)", isDirectory: &isFolder) && isFolder.boolValue
            }
        }
        return found
    }

    /// Folders that hold a project's code (and perhaps tests beside it).
    static let sourceFolders: Set<String> = ["src", "lib", "source", "sources", "app", "packages", "pkg", "cmd", "internal"]
    static let testFolders: Set<String> = ["test", "tests", "spec", "specs", "__tests__", "testing", "testdata", "test_data",
                                           "fixtures", "fixture", "__fixtures__", "__mocks__", "mocks", "typing_tests",
                                           "type_tests", "typetests", "benchmarks", "benchmark", "bench", "e2e", "conformance"]
    static let exampleFolders: Set<String> = ["examples", "example", "samples", "sample", "demo", "demos", "_examples"]
    static let documentationFolders: Set<String> = ["docs", "doc", "documentation", "man", "_docs", "website"]
    static let toolingFolders: Set<String> = [".github", ".gitlab", ".circleci", ".buildkite", "scripts", "ci", ".ci", ".devcontainer"]
    static let documentationExtensions: Set<String> = ["md", "markdown", "rst", "txt", "adoc", "ipynb"]
    static let toolingFiles: Set<String> = ["setup.py", "noxfile.py", "tox.ini", "makefile", "fabfile.py", "tasks.py", ".travis.yml",
                                            ".gitlab-ci.yml", "azure-pipelines.yml", ".pre-commit-config.yaml", "dodo.py"]

    /// The role of a top-level or nested folder by its own name.
    public static func role(ofFolder name: String) -> FileRole {
        let lower = (name as NSString).lastPathComponent.lowercased()
        if testFolders.contains(lower) || lower.hasPrefix("test_") || lower.hasSuffix("_tests") { return .test }
        if exampleFolders.contains(lower) { return .example }
        if documentationFolders.contains(lower) { return .documentation }
        if toolingFolders.contains(lower) { return .tooling }
        return .shipped
    }

    /// Folder names that a package may ship as code when they are Python packages below its top
    /// level (`django/test/`, `numpy/testing/`).
    static let ambiguousTestFolders: Set<String> = ["test", "testing", "spec"]

    /// The role of the file at `path` (relative to the root).
    public func role(of path: String) -> FileRole {
        if testPaths.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return .test }
        let components = path.split(separator: "/").map(String.init)
        for (depth, folder) in components.dropLast().enumerated() {
            let role = Self.role(ofFolder: folder)
            if role == .shipped { continue }
            // Build and CI folders are the repository's, at its top; deeper, they are code.
            if role == .tooling, depth > 0 { continue }
            if role == .test, depth > 0, Self.ambiguousTestFolders.contains(folder.lowercased()), let root,
               FileManager.default.fileExists(atPath: "\(root)/\(components[...depth].joined(separator: "/"))/__init__.py") { continue }
            return role
        }
        if SourceFile.isTestFileName(components.last ?? "") { return .test }
        let name = (components.last ?? "").lowercased()
        if components.count == 1, Self.toolingFiles.contains(name) { return .tooling }
        let ext = (name as NSString).pathExtension
        if Self.documentationExtensions.contains(ext) { return .documentation }
        if ext.isEmpty, ["readme", "changelog", "changes", "history", "authors", "contributing"].contains(where: name.hasPrefix) {
            return .documentation
        }
        // A src layout ships what is under src/ (pypa/packaging's tasks/ are its maintainers').
        if pythonSrcLayout, ext == "py", components.first != "src" { return .tooling }
        return .shipped
    }
}
