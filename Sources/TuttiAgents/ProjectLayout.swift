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

    public init(testPaths: [String] = []) {
        self.testPaths = testPaths.map { $0.hasPrefix("./") ? String($0.dropFirst(2)) : $0 }
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty && $0 != "." }
    }

    /// The layout of the repository at `root`, its test configuration read.
    public init(root: String) {
        var paths = PythonProject(root: root).testPaths
        if let data = FileManager.default.contents(atPath: "\(root)/package.json"),
           let package = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let test = (package["scripts"] as? [String: Any])?["test"] as? String {
            // `mocha --reporter spec test/` names its folder; flags, globs and files are not
            // folders, and a source folder (`jest src`) holds more than tests.
            paths += test.split(separator: " ").map(String.init).filter { word in
                var isFolder: ObjCBool = false
                let name = word.trimmingCharacters(in: CharacterSet(charactersIn: "./"))
                return !word.hasPrefix("-") && !word.contains("*") && !name.isEmpty && !Self.sourceFolders.contains(name.lowercased())
                    && FileManager.default.fileExists(atPath: "\(root)/\(word)", isDirectory: &isFolder) && isFolder.boolValue
            }
        }
        self.init(testPaths: paths)
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

    /// The role of the file at `path` (relative to the root).
    public func role(of path: String) -> FileRole {
        if testPaths.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return .test }
        if SourceFile.isTestPath(path) { return .test }
        let components = path.split(separator: "/").map(String.init)
        for folder in components.dropLast() {
            let role = Self.role(ofFolder: folder)
            if role != .shipped { return role }
        }
        let name = (components.last ?? "").lowercased()
        if Self.toolingFiles.contains(name) { return .tooling }
        if Self.documentationExtensions.contains((name as NSString).pathExtension) || name.hasPrefix("readme")
            || name.hasPrefix("changelog") || name.hasPrefix("changes") || name.hasPrefix("history") { return .documentation }
        return .shipped
    }
}
