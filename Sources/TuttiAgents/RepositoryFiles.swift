import Foundation
import TuttiCore

/// A source language the agents read.
public enum SourceLanguage: String, Sendable, CaseIterable {
    case swift, python, go, javascript, typescript, rust, shell, ruby, java, other

    /// The language of a file, from its extension.
    public init(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "swift": self = .swift
        case "py": self = .python
        case "go": self = .go
        case "js", "jsx", "mjs", "cjs": self = .javascript
        case "ts", "tsx", "mts", "cts": self = .typescript
        case "rs": self = .rust
        case "sh", "bash", "zsh": self = .shell
        case "rb": self = .ruby
        case "java", "kt": self = .java
        default: self = .other
        }
    }

    /// Languages whose imports and declarations the agents understand.
    public var isAnalyzed: Bool { [.swift, .python, .go, .javascript, .typescript, .rust].contains(self) }
}

/// One file of the repository, read as text.
public struct SourceFile: Sendable {
    /// Relative to the repository root.
    public let path: String
    public let language: SourceLanguage
    public let lines: [Substring]

    /// Whether it is test code: under a test folder, or named like a test.
    public var isTest: Bool { SourceFile.isTestPath(path) }

    /// Whether `path` is test code: under a test, fixture, type-check or benchmark folder, or
    /// named like a test by its ecosystem (`test_*.py`, `*_test.go`, `*.test.js`, `*Tests.swift`...).
    static func isTestPath(_ path: String) -> Bool {
        let components = path.split(separator: "/").map { $0.lowercased() }
        if components.dropLast().contains(where: { ProjectLayout.role(ofFolder: $0) == .test }) { return true }
        return isTestFileName(components.last ?? "")
    }

    /// Whether a file's name is a test's by its ecosystem's convention.
    static func isTestFileName(_ file: String) -> Bool {
        let name = file.lowercased()
        return name.hasPrefix("test_") || name.hasSuffix("_test.go") || name.hasSuffix("_test.py") || name.contains(".test.")
            || name.contains(".spec.") || name.contains(".bench.") || name.hasSuffix("tests.swift") || name.hasSuffix("test.swift")
            || name == "conftest.py"
    }
}

/// The files of a repository, as git sees them (tracked and untracked, without what
/// .gitignore excludes); outside git, every file but the usual build and dependency folders
/// and the patterns of the root .gitignore.
public enum RepositoryFiles {
    /// Folders never looked into.
    static let skippedFolders: Set<String> = [".git", ".build", "node_modules", "target", "__pycache__", ".venv", "venv",
                                              "dist", "build", ".tox", ".mypy_cache", ".pytest_cache", ".tutti", "vendor"]
    /// Files larger than this are not read.
    static let maximumSize = 1 << 20

    /// Paths relative to `root`, sorted; never what tutti itself writes (`.tutti/`, and the
    /// original template's `.conductor/task-results/` and `test-results/<workflow>-results.json`).
    public static func list(_ root: String) -> [String] {
        (gitFiles(root) ?? walk(root)).filter { !isTuttiOutput($0) }
    }

    static func isTuttiOutput(_ path: String) -> Bool {
        path.hasPrefix(".tutti/") || path.hasPrefix(".conductor/task-results/")
            || (path.hasPrefix("test-results/") && path.hasSuffix("-results.json") && !path.dropFirst("test-results/".count).contains("/"))
    }

    /// Reads the text files among `paths` (binary and very large files are left out).
    public static func read(_ paths: [String], root: String) -> [SourceFile] {
        paths.compactMap { path in
            let full = "\(root)/\(path)"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                  (attributes[.type] as? FileAttributeType) == .typeRegular,
                  let size = attributes[.size] as? Int, size <= maximumSize,
                  let data = FileManager.default.contents(atPath: full), !data.prefix(8000).contains(0) else { return nil }
            let text = String(decoding: data, as: UTF8.self)
            return SourceFile(path: path, language: SourceLanguage(path: path),
                              lines: text.split(separator: "\n", omittingEmptySubsequences: false))
        }
    }

    static func gitFiles(_ root: String) -> [String]? {
        // Without git (the spawn fails) or outside a work tree, the caller walks the folder.
        let inside = ChildProcess.run(["git", "-C", root, "rev-parse", "--is-inside-work-tree"], captureOutput: true)
        guard inside.status == 0, inside.output.hasPrefix("true") else { return nil }
        let listed = ChildProcess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                      captureOutput: true)
        guard listed.status == 0 else { return nil }
        // Git's own ignore rules decide; only its folder and ours are left out.
        return listed.output.split(separator: "\0").map(String.init)
            .filter { path in
                !path.split(separator: "/").contains { $0 == ".git" || $0 == ".tutti" }
                    && FileManager.default.fileExists(atPath: "\(root)/\(path)")
            }
            .sorted()
    }

    static func walk(_ root: String) -> [String] {
        let patterns = ignorePatterns(root)
        var found: [String] = []
        var folders = [""]
        while let folder = folders.popLast() {
            let full = folder.isEmpty ? root : "\(root)/\(folder)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []).sorted() {
                let path = folder.isEmpty ? name : "\(folder)/\(name)"
                // lstat: a link to a folder is not followed (it could lead back up the tree).
                var info = stat()
                guard lstat("\(root)/\(path)", &info) == 0 else { continue }
                let kind = info.st_mode & S_IFMT
                if kind == S_IFLNK { continue }
                if kind == S_IFDIR {
                    if !skippedFolders.contains(name), !ignored(path, name: name, folder: true, patterns) { folders.append(path) }
                } else if !ignored(path, name: name, folder: false, patterns) {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    /// The root .gitignore's patterns (comments, blanks and negations left out).
    static func ignorePatterns(_ root: String) -> [String] {
        guard let text = try? String(contentsOfFile: "\(root)/.gitignore", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("!") }
    }

    static func ignored(_ path: String, name: String, folder: Bool, _ patterns: [String]) -> Bool {
        patterns.contains { raw in
            var pattern = raw
            if pattern.hasSuffix("/") {
                guard folder else { return false }
                pattern.removeLast()
            }
            if pattern.hasPrefix("/") { return fnmatch(String(pattern.dropFirst()), path, FNM_PATHNAME) == 0 }
            if pattern.contains("/") { return fnmatch(pattern, path, FNM_PATHNAME) == 0 }
            return fnmatch(pattern, name, 0) == 0
        }
    }
}
