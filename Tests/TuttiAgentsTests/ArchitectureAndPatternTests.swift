import Foundation
import Testing
@testable import TuttiAgents
import TuttiCore

/// The architecture review's import graph and cycles, its documentation count, and the
/// pattern library.
@Suite struct ArchitectureAndPatternTests {
    static let manyLanguages = FixtureRepository([
        // Python: pkg.a → pkg.b → pkg.c → pkg.a
        "pkg/__init__.py": "",
        "pkg/a.py": "import pkg.b\n",
        "pkg/b.py": "from pkg import c\n",
        "pkg/c.py": "from .a import thing\n",
        "pkg/leaf.py": "import os\n",
        // JavaScript: web/x ↔ web/y, web/z → web/x
        "web/x.js": "import { y } from './y.js'\nexport const x = 1\n",
        "web/y.js": "const { x } = require('./x')\nmodule.exports = { y: 2 }\n",
        "web/z.ts": "import { x } from \"./x\"\n",
        // Go: svc → util, no cycle
        "go.mod": "module example.com/m\n\ngo 1.22\n",
        "svc/s.go": "package svc\n\nimport (\n\t\"fmt\"\n\t\"example.com/m/util\"\n)\n",
        "util/u.go": "package util\n",
        // Swift: App → Core
        "Sources/Core/Core.swift": "public struct Core {}\n",
        "Sources/App/main.swift": "import Foundation\nimport Core\n",
        // Rust: a ↔ b
        "src/lib.rs": "mod a;\nmod b;\n",
        "src/a.rs": "use crate::b::f;\npub fn g() {}\n",
        "src/b.rs": "use super::a::g;\npub fn f() {}\n",
    ])

    /// Cycles as pylint's cyclic-import finds them. packaging's shape: ranges and specifiers
    /// import each other under `if TYPE_CHECKING:` (for the type checker alone), which leaves
    /// the pair out, and in a function — no cycle, pylint says none either. attrs's shape: an
    /// import in a function's body runs when it is called — a cycle, as pylint says. An import
    /// in a class's body or in the `else` of a TYPE_CHECKING test runs too; an example in a
    /// docstring imports nothing.
    @Test func pythonCyclesLeaveOutWhatOnlyTheTypeCheckerImports() throws {
        let deferred = FixtureRepository([
            "pkg/__init__.py": "",
            "pkg/ranges.py": #"""
            """Ranges.

            .. testsetup::

                from pkg.specifiers import SpecifierSet
            """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from .specifiers import SpecifierSet


            def parse(
                text,
                strict=False,
            ):
                from .specifiers import SpecifierSet

                return SpecifierSet(text)
            """#,
            "pkg/specifiers.py": "import typing\n\nif typing.TYPE_CHECKING:\n    from . import ranges\n\n\nclass SpecifierSet:\n"
                + "    async def to_range(self):\n        from .ranges import parse\n        return parse(str(self))\n",
            "pkg/uses.py": "def helper():\n    pass\n",
            "pkg/doc.py": "\"\"\"Example:\n\n    from pkg.uses import helper\n    import pkg.uses\n\"\"\"\n",
        ])
        let files = RepositoryFiles.read(RepositoryFiles.list(deferred.root), root: deferred.root)
        let graph = ImportGraph(files: files)
        #expect(graph.edges["pkg.ranges"] == ["pkg.specifiers"] && graph.edges["pkg.specifiers"] == ["pkg.ranges"])
        #expect(graph.runtimeEdges["pkg.ranges"] == [] && graph.runtimeEdges["pkg.specifiers"] == [])
        #expect(graph.cycles().isEmpty)
        #expect(graph.edges["pkg.doc"] == [], "an example in a docstring imports nothing")
        let loaded = FixtureRepository([
            "pkg/__init__.py": "",
            "pkg/a.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    pass\nelse:\n    from . import b\n",
            "pkg/b.py": "class Holder:\n    from . import c\n",
            "pkg/c.py": "def later():\n    import pkg.a\n    return pkg.a\n",
        ])
        let loadedGraph = ImportGraph(files: RepositoryFiles.read(RepositoryFiles.list(loaded.root), root: loaded.root))
        #expect(loadedGraph.cycles() == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]])
    }

    @Test func theImportGraphOfFiveLanguagesAndItsCycles() throws {
        let repository = Self.manyLanguages
        let files = RepositoryFiles.read(RepositoryFiles.list(repository.root), root: repository.root)
        let graph = ImportGraph(files: files)
        #expect(graph.edges["App"] == ["Core"])
        #expect(graph.edges["svc"] == ["util"])
        #expect(graph.edges["web/z"] == ["web/x"])
        #expect(graph.edges["pkg.leaf"] == [])
        #expect(graph.cycles() == [["a", "b", "a"], ["pkg.a", "pkg.b", "pkg.c", "pkg.a"], ["web/x", "web/y", "web/x"]])
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        #expect(result.cycles.count == 3)
        #expect(output.metrics["security_score"] == .number(40), "100 − 20 × 3 cycles")
        #expect(output.all.contains("dependency cycle: pkg.a → pkg.b → pkg.c → pkg.a"))
        #expect(output.metrics["documentation"] == .bool(false), "no README")
        let dot = try String(contentsOfFile: "\(try repository.context("architecture", output: CollectedOutput()).findingsDirectory)/architecture.dot",
                             encoding: .utf8)
        #expect(dot.contains("\"App\" -> \"Core\""))
    }

    @Test func documentedPublicAPIAndAREADMEOfSubstance() throws {
        let repository = FixtureRepository([
            "Sources/Lib/Lib.swift": """
            /// A documented type.
            public struct Documented {}

            /// A documented function.
            @discardableResult
            public func documented() -> Int { 1 }

            public func undocumented() {}

            func internalOnesDoNotCount() {}
            """,
            "lib/lib.go": "package lib\n\n// Exported does things.\nfunc Exported() {}\n\nfunc AlsoExported() {}\n\nfunc hidden() {}\n",
            "README.md": "# Lib\n\n" + String(repeating: "A library that does useful things. ", count: 30) + "\n\n## Use\n\nCall it.\n",
        ])
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        #expect(result.publicDeclarations == 5)
        #expect(result.documented == 3)
        #expect(output.metrics["coverage_threshold"] == .number(60))
        #expect(output.metrics["documentation"] == .bool(true))
        #expect(output.metrics["security_score"] == .number(100))
    }

    @Test func pythonNestedFunctionsAreNotAPIAndRustWorkspacesKeepTheirCrates() throws {
        let repository = FixtureRepository([
            "lib.py": "def outer():\n    \"\"\"Documented.\"\"\"\n    def inner():\n        pass\n    return inner\n\n\nclass Tool:\n"
                + "    \"\"\"A tool.\"\"\"\n\n    def use(self):\n        \"\"\"Uses it.\"\"\"\n        def helper():\n            pass\n",
            "crates/a/src/lib.rs": "mod config;\nuse crate::{config::Settings, config};\n",
            "crates/a/src/config.rs": "pub struct Settings;\n",
            "crates/b/src/lib.rs": "mod config;\n",
            "crates/b/src/config.rs": "use crate::config;\n",
        ])
        let files = RepositoryFiles.read(RepositoryFiles.list(repository.root), root: repository.root)
        let python = DeclarationScanner.declarations(in: files.first { $0.path == "lib.py" }!)
        #expect(python.map(\.name) == ["outer", "Tool", "use"])
        let graph = ImportGraph(files: files)
        #expect(graph.edges["crates/a::crate"] == ["crates/a::config"])
        #expect(graph.cycles().isEmpty, "two crates' config modules are not one")
    }

    @Test func thePatternLibraryListsTheReusableTypes() throws {
        let repository = FixtureRepository([
            "Sources/Lib/Shapes.swift": """
            /// Anything with an area.
            public protocol Shape {
                func area() -> Double
            }

            /// A circle of a radius.
            public struct Circle: Shape {
                public let radius: Double
                public init(radius: Double) { self.radius = radius }
                public func area() -> Double { 3.14159 * radius * radius }
            }

            /// The sum of the shapes' areas.
            public func totalArea(_ shapes: [Shape]) -> Double { shapes.reduce(0) { $0 + $1.area() } }

            public struct Lonely {}

            struct Helper {}
            """,
            "Sources/App/main.swift": "import Lib\n\nlet shapes = [Circle(radius: 1), Circle(radius: 2)]\nprint(totalArea(shapes))\n",
            "Sources/App/Report.swift": "import Lib\n\nfunc report(_ circle: Circle) -> String { \"\\(totalArea([circle]))\" }\n",
            "Tests/LibTests/ShapeTests.swift": "import Lib\n\nfunc testArea() { let shape: Shape = Circle(radius: 1); _ = shape }\n",
        ])
        let output = CollectedOutput()
        let patterns = CodeGenAgent(context: try repository.context("codegen", output: output)).run()
        #expect(patterns.map(\.declaration.name) == ["Shape", "Circle", "totalArea"])
        #expect(output.metrics["patterns_generated"] == .number(3))
        #expect(output.metrics["documentation"] == .bool(true))
        #expect(output.metrics["test_coverage"] == .number(66.7), "Shape and Circle are used in tests; totalArea is not")
        let library = try String(contentsOfFile: "\(try repository.context("codegen", output: CollectedOutput()).findingsDirectory)/pattern-library.md",
                                 encoding: .utf8)
        #expect(library.contains("## Circle") && library.contains("A circle of a radius."))
        #expect(library.contains("public func totalArea(_ shapes: [Shape]) -> Double"))
        #expect(library.contains("Example (`Sources/App/main.swift:3`)"), "an example from code before one from tests, not a declaration line")
        #expect(!library.contains("## Lonely") && !library.contains("## Helper"))
    }
}
