import Foundation
import Testing
@testable import TuttiAgents

/// Reading a project's own configuration: which code ships, which is tests, what coverage.py
/// should measure.
@Suite struct ProjectLayoutTests {
    @Test func configSectionsAreReadFromTOMLAndINI() {
        let toml = ConfigSection.parse("""
        [tool.coverage.run]
        branch = true  # measure branches
        source = [
            "jwt",
            'tests',
        ]
        omit = ["*/_vendor/*"]

        [tool.coverage.report]
        exclude_also = ["if TYPE_CHECKING", ": \\\\.{3}"]
        """, section: "tool.coverage.run", file: "pyproject.toml")
        #expect(toml?["source"] == ["jwt", "tests"])
        #expect(toml?.flag("branch") == true)
        #expect(toml?["omit"] == ["*/_vendor/*"])
        let report = ConfigSection.parse("[tool.coverage.report]\nexclude_also = [\"if TYPE_CHECKING\", \": \\\\.{3}\"]\n",
                                         section: "tool.coverage.report", file: "pyproject.toml")
        #expect(report?["exclude_also"] == ["if TYPE_CHECKING", #": \.{3}"#], "a basic string's escapes are read")
        let ini = ConfigSection.parse("""
        [metadata]
        name = x
        [coverage:run]
        source =
            src/pkg
            other
        branch = True
        ; a comment
        """, section: "coverage:run", file: "setup.cfg")
        #expect(ini?["source"] == ["src/pkg", "other"])
        #expect(ini?.flag("branch") == true)
        #expect(ConfigSection.parse("[other]\na = 1\n", section: "coverage:run", file: "setup.cfg") == nil)
        #expect(ini?.iniText(as: "run") == "[run]\nbranch = True\nsource =\n    src/pkg\n    other\n")
    }

    /// humanize's pyproject.toml: `[tool.coverage]` with dotted keys, pytest 9's `[tool.pytest]`
    /// (and a tox.ini `[pytest]` that pytest does not read, since pyproject.toml comes first).
    @Test func dottedTOMLKeysAndPytestsNativeTableAreReadAsTheToolsReadThem() {
        let dotted = ConfigSection.parse("""
        [tool.coverage]
        # Regexes for lines to exclude from consideration
        report.exclude_also = [
          "if __name__ == .__main__.:",
        ]
        run.branch = true

        [tool.coverage.run]
        source = ["humanize"]
        """, section: "tool.coverage.report", file: "pyproject.toml")
        #expect(dotted?["exclude_also"] == ["if __name__ == .__main__.:"])
        #expect(dotted?.values.count == 1, "run.branch and [tool.coverage.run] belong to the run table")

        let humanize = FixtureRepository([
            "pyproject.toml": """
            [tool.pytest]
            addopts = [ "--color=yes" ]
            testpaths = [ "tests" ]

            [tool.coverage]
            report.exclude_also = [
              "if __name__ == .__main__.:",
            ]
            """,
            "tox.ini": "[pytest]\naddopts = --color=yes --doctest-modules\n",
            "src/humanize/__init__.py": "", "tests/test_time.py": "",
        ])
        let project = PythonProject(root: humanize.root)
        #expect(project.pytestOptions == "--color=yes" && project.testPaths == ["tests"], "pyproject.toml before tox.ini")
        #expect(project.coverageFile == "pyproject.toml" && project.coverageReport?["exclude_also"] == ["if __name__ == .__main__.:"])
        #expect(project.coverageSettingsWithoutPaths()?.contains("exclude_also =\n    if __name__ == .__main__.:") == true)

        let pytestToml = FixtureRepository(["pytest.toml": "[pytest]\ntestpaths = [\"checks\"]\n",
                                            "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n"])
        #expect(PythonProject(root: pytestToml.root).testPaths == ["checks"], "pytest.toml comes first")
        let iniOptions = FixtureRepository(["pyproject.toml": "[tool.pytest.ini_options]\naddopts = \"-q\"\n"])
        #expect(PythonProject(root: iniOptions.root).pytestOptions == "-q", "a table's dotted name alone is no [tool.pytest]")
    }

    @Test func aSourceThatNamesTestsOrAnotherProjectIsReplacedByTheShippedPackages() {
        // itsdangerous's configuration, copied from another project: source = ["jinja2", "tests"].
        let copied = FixtureRepository([
            "pyproject.toml": "[tool.coverage.run]\nbranch = true\nsource = [\"jinja2\", \"tests\"]\n",
            "src/calc/__init__.py": "", "tests/test_calc.py": "",
        ])
        let override = PythonProject(root: copied.root).sourceOverride()
        #expect(override?.sources == ["src/calc"])
        #expect(override?.note == "pyproject.toml names jinja2 (not in this repository), tests (tests): measured the shipped code, src/calc")
        #expect(PythonProject(root: copied.root).srcLayout)

        let partly = FixtureRepository(["setup.cfg": "[coverage:run]\nsource =\n    jwt\n    tests\n", "jwt/__init__.py": ""])
        #expect(PythonProject(root: partly.root).sourceOverride()?.sources == ["jwt"])

        let good = FixtureRepository([".coveragerc": "[run]\nsource_pkgs = calc\n", "src/calc/__init__.py": ""])
        #expect(PythonProject(root: good.root).sourceOverride() == nil, "a configuration that names the shipped code is kept")

        let flat = FixtureRepository(["calc/__init__.py": "", "tool.py": "", "setup.py": "", "docs/conf.py": "", "tests/__init__.py": "",
                                      "typing_tests/__init__.py": ""])
        let detected = PythonProject(root: flat.root).sourceOverride()
        #expect(detected?.sources == ["calc", "tool"])
        #expect(detected?.note == "no coverage configuration: measured the shipped code, calc, tool.py")
    }

    @Test func filesHaveRolesByConventionAndByTheProjectsTestConfiguration() {
        let layout = ProjectLayout(testPaths: ["./checks/"])
        let expected: [(String, FileRole)] = [
            ("src/jwt/api.py", .shipped), ("jwt/api_jws.py", .shipped), ("index.js", .shipped), ("Sources/App/main.swift", .shipped),
            ("tests/keys/testkey_rsa.priv", .test), ("tests/test_api.py", .test), ("conftest.py", .test), ("uuid_test.go", .test),
            ("testdata/key.pem", .test), ("typing_tests/strict.py", .test), ("src/app.test.ts", .test), ("checks/smoke.py", .test),
            ("test/fixtures/cookie.txt", .test), ("Tests/CoreTests/A.swift", .test), ("bench/run.js", .test),
            ("docs/usage.rst", .documentation), ("README.md", .documentation), ("CHANGELOG.rst", .documentation),
            ("examples/client.py", .example), ("samples/app.go", .example),
            (".github/workflows/ci.yml", .tooling), ("setup.py", .tooling), ("noxfile.py", .tooling), ("scripts/release.sh", .tooling),
        ]
        for (path, role) in expected { #expect(layout.role(of: path) == role, "\(path)") }
        // Names that are code deeper in a package: a history module, a Celery tasks module, scripts a package ships.
        for path in ["prompt_toolkit/history.py", "app/tasks.py", "pkg/scripts/run.py", "IPython/core/history.py"] {
            #expect(layout.role(of: path) == .shipped, "\(path)")
        }
    }

    @Test func aTestFolderThatIsAPackageInsideAPackageShips() {
        let repository = FixtureRepository(["django/__init__.py": "", "django/test/__init__.py": "", "django/test/client.py": "",
                                            "tests/test_client.py": "", "test/test_other.py": ""])
        let layout = ProjectLayout(root: repository.root)
        #expect(layout.role(of: "django/test/client.py") == .shipped, "Django's test client ships")
        #expect(layout.role(of: "tests/test_client.py") == .test)
        #expect(layout.role(of: "test/test_other.py") == .test)
    }

    /// pypa/packaging's shape: a src layout ships what is under src/; its tasks/ (maintenance
    /// scripts that pickle and pick random versions) are tooling, not shipped code. Without a
    /// src layout a tasks/ package may be the application's own (a Celery app's), and ships.
    @Test func aSrcLayoutShipsWhatIsUnderSrc() {
        let repository = FixtureRepository(["pyproject.toml": "[project]\nname = \"pkg\"\n", "src/pkg/__init__.py": "",
                                            "src/pkg/tags.py": "", "tasks/pickle_compat.py": "", "noxfile.py": "", "docs/conf.py": ""])
        let layout = ProjectLayout(root: repository.root)
        #expect(layout.role(of: "src/pkg/tags.py") == .shipped)
        #expect(layout.role(of: "tasks/pickle_compat.py") == .tooling)
        #expect(layout.role(of: "noxfile.py") == .tooling && layout.role(of: "docs/conf.py") == .documentation)
        let flat = FixtureRepository(["pyproject.toml": "[project]\nname = \"app\"\n", "app/__init__.py": "", "tasks/__init__.py": "",
                                      "tasks/email.py": ""])
        #expect(ProjectLayout(root: flat.root).role(of: "tasks/email.py") == .shipped)
        // A package at the top as well as under src/, named by the build (mapped by package_dir): both ship.
        let both = FixtureRepository(["setup.py": "setup(packages=[\"core\", \"plugin\"], package_dir={\"core\": \"src/core\"})\n",
                                      "src/core/__init__.py": "", "plugin/__init__.py": "", "plugin/hooks.py": ""])
        #expect(ProjectLayout(root: both.root).role(of: "plugin/hooks.py") == .shipped)
        // packaging's tasks/ is a package too, named only in a linter's setting: its maintainers'.
        let tasksPackage = FixtureRepository(["pyproject.toml": "[tool.ruff.lint.per-file-ignores]\n\"tasks/*.py\" = [\"T20\"]\n",
                                              "src/pkg/__init__.py": "", "tasks/__init__.py": "", "tasks/pickle_compat.py": ""])
        #expect(ProjectLayout(root: tasksPackage.root).role(of: "tasks/pickle_compat.py") == .tooling)
    }

    @Test func theTestFolderAPackageJsonScriptNamesIsTests() {
        let other = FixtureRepository(["package.json": #"{"scripts": {"test": "cd backend && npm test"}}"#, "backend/app.js": ""])
        #expect(ProjectLayout(root: other.root).testPaths.isEmpty, "another command's folder is not the runner's")
        let repository = FixtureRepository(["package.json": #"{"scripts": {"test": "mocha --reporter spec --check-leaks spec-suite/ src"}}"#,
                                            "spec-suite/parse.js": "", "index.js": "", "src/a.js": ""])
        let layout = ProjectLayout(root: repository.root)
        #expect(layout.testPaths == ["spec-suite"])
        #expect(layout.role(of: "spec-suite/parse.js") == .test)
        #expect(layout.role(of: "index.js") == .shipped)
        #expect(layout.role(of: "src/a.js") == .shipped, "a source folder the script names holds more than tests")
    }
}
