import Foundation
import Testing
@testable import TuttiAgents
import TuttiCore

/// Which files the agents read: git's view when there is a work tree, a walk otherwise.
@Suite struct RepositoryFilesTests {
    static let files = [".gitignore": "build-output/\n*.log\n", "src/main.py": "print(1)\n", "notes.log": "ignored\n",
                        "build-output/x.py": "ignored\n", "node_modules/lib/index.js": "skipped\n", "docs/guide.md": "# Guide\n"]

    @Test func outsideGitTheWalkLeavesOutIgnoredAndDependencyFolders() {
        let repository = FixtureRepository(Self.files)
        #expect(RepositoryFiles.list(repository.root) == [".gitignore", "docs/guide.md", "src/main.py"])
    }

    @Test(.enabled(if: ChildProcess.run(["git", "--version"]).status == 0))
    func inAWorkTreeGitDecidesTrackedAndUntrackedButNotIgnored() {
        let repository = FixtureRepository(Self.files)
        #expect(ChildProcess.run(["git", "-C", repository.root, "init", "-q"]).status == 0)
        ChildProcess.run(["git", "-C", repository.root, "add", "src/main.py"])
        // This .gitignore does not name node_modules, so git lists it: git's rules decide.
        #expect(RepositoryFiles.list(repository.root) == [".gitignore", "docs/guide.md", "node_modules/lib/index.js", "src/main.py"])
    }

    @Test func whatTuttiWritesIsNeverRead() {
        let repository = FixtureRepository(["src/main.py": "print(1)\n", ".tutti/runs/r/report.json": "{}\n",
                                            ".conductor/task-results/task-4.json": "{}\n", "test-results/demo-results.json": "{}\n",
                                            "test-results/junit/unit.xml": "<testsuites/>\n"])
        #expect(RepositoryFiles.list(repository.root) == ["src/main.py", "test-results/junit/unit.xml"],
                "the project's own test-results files are its own")
    }
}
