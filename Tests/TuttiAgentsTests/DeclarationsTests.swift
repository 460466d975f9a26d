import Foundation
import Testing
@testable import TuttiAgents
import TuttiCore

/// What counts as public API and its documentation in real code's shapes, and what the
/// pattern library calls a pattern and an example.
@Suite struct DeclarationsTests {
    /// attrs's shapes: multi-line signatures, raw and byte docstrings, @overload stubs,
    /// decorators, a private module whose names the package re-exports, a private class's
    /// methods, and a type-check folder.
    static let pythonPackage: [String: String] = [
        "src/pkg/__init__.py": #"""
        """The package."""
        from ._make import (
            define,
            field,
        )
        from .public import Helper, helper

        __all__ = ["define", "field", "Helper", "helper"]
        """#,
        "src/pkg/_make.py": #"""
        from typing import overload


        @overload
        def define(cls: None = ...) -> int: ...


        @overload
        def define(cls: type) -> type: ...


        def define(
            maybe_cls=None,
            *,
            these=None,
            repr=None,
        ):
            r"""
            Define a class, the new way.
            """
            return maybe_cls


        @staticmethod
        def field(
            default=None,
        ) -> object:
            b'''Make a field.'''
            return default


        def not_exported():
            return 1


        class _ClassBuilder:
            """Builds classes."""

            def add_repr(self):
                return self
        """#,
        "src/pkg/public.py": #"""
        class Helper:
            """Helps."""

            def run(self):
                """Runs."""

            def stop(self):
                pass

            def _private(self):
                pass


        def helper(): return Helper()
        """#,
        "typing_tests/strict.py": "def untyped_check():\n    pass\n",
        "tests/test_make.py": "def test_define():\n    pass\n",
    ]

    @Test func pythonDocstringsAfterLongSignaturesOverloadsAndPrivateModulesAreRead() throws {
        let repository = FixtureRepository(Self.pythonPackage)
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        // Public: define, field, Helper, Helper.run, Helper.stop, helper — not not_exported (a private
        // module's name nobody re-exports), not _ClassBuilder's methods, not the type checks or tests.
        #expect(result.publicDeclarations == 6)
        // define (an r-docstring after a long signature; its @overload stubs are one with it),
        // field (a b-docstring after a decorator), Helper, Helper.run.
        #expect(result.documented == 4)
        #expect(output.metrics["coverage_threshold"] == .number(66.7))
        #expect(output.all.contains("@tutti label coverage_threshold documented public API"))
        let undocumented = output.all.filter { $0.hasPrefix("@tutti finding") && $0.contains(#""kind":"undocumented""#) }
        #expect(undocumented.count == 2 && undocumented.contains { $0.contains("Helper.stop has no doc comment") }
                && undocumented.contains { $0.contains("helper has no doc comment") })
    }

    /// markupsafe's shape: `class Markup(str)` overriding str's methods without docstrings of
    /// its own; Python documents them (`help(Markup.join)` shows str.join's), an exception's
    /// `with_traceback` too. A new method of its own is not documented by its base.
    @Test func methodsOverridingABuiltInTypesTakeItsDocstrings() throws {
        let repository = FixtureRepository([
            "src/safe/__init__.py": #"""
            """Safe strings."""


            class Markup(str):
                """A string that is ready to be inserted into HTML."""

                def join(self, iterable):
                    return self.__class__(super().join(iterable))

                def striptags(self):
                    return self


            class Failure(Exception):
                """It failed."""

                def with_traceback(self, tb):
                    return self


            class BadValue(ValueError):
                """A value out of range."""

                def with_traceback(self, tb):
                    return self


            class Cache(collections.abc.MutableMapping):
                """cachetools's Cache: a mapping whose overrides Python documents."""

                def get(self, key, default=None):
                    return default

                def clear(self):
                    pass
            """#,
        ])
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        // Markup, Markup.join (str.join's), Markup.striptags, Failure, Failure.with_traceback (BaseException's),
        // BadValue, BadValue.with_traceback (ValueError's, from BaseException), Cache, Cache.get and
        // Cache.clear (collections.abc.MutableMapping's).
        #expect(result.publicDeclarations == 10)
        #expect(result.documented == 9)
        let undocumented = output.all.filter { $0.hasPrefix("@tutti finding") && $0.contains(#""kind":"undocumented""#) }
        #expect(undocumented.count == 1 && undocumented[0].contains("Markup.striptags has no doc comment"), "\(undocumented)")
    }

    /// more-itertools's shape: `batched` defined under `if`, its docstring assigned after it
    /// (`batched.__doc__ = _batched.__doc__`), as `inspect.getdoc` finds it. An assignment of
    /// None or of an empty string documents nothing, nor does one inside a function.
    @Test func aDocstringAssignedAfterTheDefinitionDocumentsIt() throws {
        let repository = FixtureRepository([
            "src/tools/__init__.py": #"""
            """Tools."""
            import sys


            def _batched(iterable, n):
                """Batch data into tuples of length n."""
                return iterable


            if sys.version_info >= (3, 13):

                def batched(iterable, n):
                    return _batched(iterable, n)

                batched.__doc__ = _batched.__doc__
            else:
                batched = _batched


            def literal():
                return 1


            literal.__doc__ = "Set after the fact."


            def cleared():
                return 2


            cleared.__doc__ = None  # hidden on purpose


            def multiline():
                return 5


            multiline.__doc__ = """
                Said over several lines.
            """


            def emptied():
                return 3


            emptied.__doc__ = ""


            class Box:
                """A box."""

                def open(self):
                    return self


            Box.open.__doc__ = "Opens the box."


            def inner_only():
                def helper():
                    return 4

                inner_only.__doc__ = "Said only when it runs."
                return helper
            """#,
        ])
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        // batched, literal, cleared, multiline, emptied, Box, Box.open, inner_only.
        #expect(result.publicDeclarations == 8)
        #expect(result.documented == 5, "batched, literal, multiline, Box and Box.open")
        let undocumented = output.all.filter { $0.hasPrefix("@tutti finding") && $0.contains(#""kind":"undocumented""#) }
        #expect(undocumented.count == 3 && ["cleared", "emptied", "inner_only"].allSatisfy { name in
            undocumented.contains { $0.contains("\(name) has no doc comment") }
        }, "\(undocumented)")
    }

    /// packaging's shape: a public module with an `__all__` imports names from a private module
    /// for its own use (`from ._parser import Op`, `parse_marker as _parse_marker`): they are not
    /// offered, as PEP 8 says `__all__` is the interface; only what it lists, or what a module
    /// without one imports under a public name, makes a private module's name public.
    @Test func aPrivateModulesNamesArePublicOnlyWhereAPublicModuleOffersThem() throws {
        let repository = FixtureRepository([
            "src/pkg/__init__.py": "from ._core import Offered\n",
            "src/pkg/_core.py": "class Offered:\n    \"\"\"Offered.\"\"\"\n\n\nclass Listed:\n    \"\"\"Listed.\"\"\"\n",
            "src/pkg/_parser.py": "class Op:\n    pass\n\n\ndef parse_marker(text):\n    return text\n",
            "src/pkg/markers.py": "from ._parser import Op\nfrom ._parser import parse_marker as _parse_marker\nfrom ._core import Listed\n\n"
                + "__all__ = [\"Marker\", \"Listed\"]\n\n\nclass Marker:\n    \"\"\"A marker.\"\"\"\n",
            "src/pkg/requirements.py": "from ._parser import parse_marker as _parse_marker\n",
        ])
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        // Offered (imported under its name by a module without __all__), Listed (in an __all__), Marker.
        #expect(result.publicDeclarations == 3 && result.documented == 3, "\(output.all.filter { $0.contains("undocumented") })")
    }

    @Test func aCommonJSPackageHasItsExportsAndItsRequireCycle() throws {
        let repository = FixtureRepository([
            "package.json": #"{"name": "calc", "main": "index.js", "scripts": {"test": "mocha test/"}}"#,
            "index.js": """
            'use strict'

            var parse = require('./lib/parse')
            var format = require('./lib/format.js')

            /**
             * Module exports.
             * @public
             */

            exports.parse = parse.parse
            exports.format = format

            /**
             * Adds two numbers.
             */
            exports.add = function (a, b) {
              return a + b
            }

            exports.version = '1.0.0'
            """,
            "lib/parse.js": """
            var format = require('./format')

            /**
             * Parses a number.
             */

            function parse(text) {
              return Number(text)
            }

            function internal() {}

            module.exports = { parse: parse, format: format }
            """,
            "lib/format.js": "const { parse } = require('./parse')\n\nmodule.exports = function format(value) {\n  return String(parse(value))\n}\n",
            "test/index.js": "var calc = require('..')\n",
        ])
        let files = RepositoryFiles.read(RepositoryFiles.list(repository.root), root: repository.root)
        let graph = ImportGraph(files: files)
        #expect(graph.edges["index"] == ["lib/parse", "lib/format"])
        #expect(graph.cycles() == [["lib/format", "lib/parse", "lib/format"]])
        let declarations = files.filter { !$0.isTest }.flatMap(DeclarationScanner.declarations(in:))
        #expect(Set(declarations.filter { $0.isPublic && $0.kind != .value }.map { "\($0.file) \($0.name) \($0.doc != nil)" })
                == ["index.js add true", "lib/parse.js parse true", "lib/format.js format false"],
                "exports.x = function, module.exports = { a: b } and = function name are declarations; exports.x = y.z and values are not")
        let output = CollectedOutput()
        _ = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        #expect(output.metrics["coverage_threshold"] == .number(66.7))
        #expect(output.metrics["security_score"] == .number(80), "one cycle")
    }

    @Test func largeTestFilesAreNotADesignProblem() throws {
        let long = String(repeating: "x = 1\n", count: 1200)
        let repository = FixtureRepository(["pkg/big.py": long, "tests/test_big.py": long, "tests/fixtures/data.py": long])
        let output = CollectedOutput()
        let result = ArchitectureAgent(context: try repository.context("architecture", output: output)).run()
        #expect(result.godFiles.map(\.path) == ["pkg/big.py"])
        #expect(output.metrics["security_score"] == .number(95))
        #expect(output.all.contains("@tutti label security_score structure score"))
    }

    @Test func patternsAreSymbolsNotNames() throws {
        // Eight Go types each with a String method, a call to the append builtin, a function the
        // package's tests call bare and another package calls through the package's name.
        var files: [String: String] = ["go.mod": "module example.com/shapes\n\ngo 1.19\n"]
        var types = ""
        for name in ["Circle", "Square", "Triangle", "Hexagon", "Pentagon", "Octagon", "Ellipse", "Rhombus"] {
            let receiver = name.prefix(1).lowercased()
            types += "// \(name) is a shape.\ntype \(name) struct{}\n\n// String names it.\nfunc (\(receiver) \(name)) String() string { return \"\(name)\" }\n\n"
        }
        files["shapes.go"] = "package shapes\n\n" + types + "// Describe lists names.\nfunc Describe(all []string) []string {\n\treturn append(all, \"end\")\n}\n"
        files["shapes_test.go"] = "package shapes\n\nimport \"testing\"\n\nfunc TestDescribe(t *testing.T) {\n\t_ = Describe(nil)\n\t_ = Circle{}.String()\n}\n"
        files["cmd/show/main.go"] = "package main\n\nimport \"example.com/shapes\"\n\nfunc main() {\n\tnames := append([]string{}, shapes.Circle{}.String())\n"
            + "\t_ = shapes.Describe(names)\n}\n"
        files["more/more.go"] = "package more\n\nimport \"example.com/shapes\"\n\n// Square of it.\nvar Square = shapes.Square{}\n"
        let repository = FixtureRepository(files)
        let patterns = CodeGenAgent(context: try repository.context("codegen", output: CollectedOutput())).run()
        #expect(patterns.map(\.declaration.name) == ["Circle", "Describe"],
                "String is eight types' methods, not one pattern; append is Go's; Square is used in one other file")
        let describe = try #require(patterns.first { $0.declaration.name == "Describe" })
        #expect(describe.example?.file == "cmd/show/main.go" && describe.example?.text == "_ = shapes.Describe(names)",
                "the example is a call site, not the declaration")
    }

    @Test func examplesAreRealCallSitesNotDocstringsOrExportLists() throws {
        let repository = FixtureRepository([
            "pkg/__init__.py": "\"\"\"Use make_thing(1) to make one.\"\"\"\nfrom .core import (\n    make_thing,\n)\n\n__all__ = [\n    \"make_thing\",\n]\n",
            "pkg/core.py": "def make_thing(n):\n    \"\"\"Makes a thing.\n\n    make_thing(2) makes two.\n    \"\"\"\n    return n\n",
            "pkg/user.py": "# make_thing(3) in a comment\nfrom pkg.core import make_thing\n\nTHING = make_thing(4)\n",
            "tests/test_core.py": "from pkg.core import make_thing\n\n\ndef test_make():\n    assert make_thing(5) == 5\n",
        ])
        let patterns = CodeGenAgent(context: try repository.context("codegen", output: CollectedOutput())).run()
        let pattern = try #require(patterns.first { $0.declaration.name == "make_thing" })
        #expect(pattern.example?.file == "pkg/user.py" && pattern.example?.line == 4 && pattern.example?.text == "THING = make_thing(4)")
        #expect(Set(pattern.usedIn) == ["pkg/user.py", "tests/test_core.py"], "a docstring, a comment and __all__ are not uses")
    }

    @Test func codeTextBlanksCommentsStringsAndDocstringsButKeepsInterpolatedCode() {
        let python = SourceFile(path: "a.py", language: .python,
                                lines: ["x = f(\"g(1)\")  # h(2)", "\"\"\"doc", "k(3)", "\"\"\"", "m(4)"])
        #expect(CodeText.lines(of: python).map { $0.trimmingCharacters(in: .whitespaces) } == ["x = f(\"    \")", "", "", "", "m(4)"])
        let swift = SourceFile(path: "a.swift", language: .swift, lines: ["let s = \"a \\(total(x)) b\" // c(1)"])
        #expect(CodeText.lines(of: swift)[0].contains("total(x)") && !CodeText.lines(of: swift)[0].contains("c(1)"))
        let script = SourceFile(path: "a.js", language: .javascript, lines: ["const s = `v ${value(1)} w` /* z(2) */"])
        #expect(CodeText.lines(of: script)[0].contains("value(1)") && !CodeText.lines(of: script)[0].contains("z(2)"))
    }

    @Test func aChainedCallIsAnotherObjectsMethodAndEscapedQuotesKeepTheNesting() throws {
        let repository = FixtureRepository([
            "Sources/Lib/Net.swift": #"""
            /// Sends requests.
            public struct Client {
                /// Whether a path is a folder's.
                public func isFolder(_ s: String) -> Bool {
                    if s.hasSuffix("\\") { return true }
                    return s.hasSuffix("/")
                }

                /// Sends one.
                public func send() {}
            }

            /// Makes a request.
            public func request(_ path: String) -> String { path }
            """#,
            "Sources/App/main.swift": "import Lib\n\nlet client = Client()\nclient.session.request(\"a\")\n",
            "Sources/App/Other.swift": "import Lib\n\nfunc f(_ c: Client) { c.send(); _ = c.session.request(\"b\") }\n",
        ])
        let files = RepositoryFiles.read(RepositoryFiles.list(repository.root), root: repository.root)
        let net = try #require(files.first { $0.path == "Sources/Lib/Net.swift" })
        let declarations = DeclarationScanner.declarations(in: net)
        #expect(declarations.map { "\($0.qualifiedName) \($0.nested)" }
                    == ["Client false", "Client.isFolder false", "Client.send false", "request false"],
                "a string ending in a backslash does not open a brace that never closes")
        let patterns = CodeGenAgent(context: try repository.context("codegen", output: CollectedOutput())).run()
        #expect(patterns.map(\.declaration.name) == ["Client"], "session.request( is the session's method, not the function request")
    }

    @Test func moreExportShapes() throws {
        let script = SourceFile(path: "lib.js", language: .javascript, lines: """
        /** Parses. */
        function parse() {}
        /** Formats. */
        function format() {}
        function hidden() {}
        module.exports = {
          parse,
          format: format
        }
        """.split(separator: "\n", omittingEmptySubsequences: false))
        #expect(DeclarationScanner.declarations(in: script).filter(\.isPublic).map(\.name) == ["parse", "format"])
        let go = SourceFile(path: "uuid.go", language: .go, lines: ["package uuid // import \"github.com/google/uuid\"", "", "func Parse() {}"])
        #expect(DeclarationScanner.declarations(in: go).first?.package == "uuid")
        var python = [
            Declaration(name: "Thing", kind: .type, file: "pkg/_core.py", line: 1, signature: "class Thing", doc: nil, isPublic: true),
            Declaration(name: "helper", kind: .function, file: "pkg/_util.py", line: 1, signature: "def helper()", doc: nil, isPublic: true),
        ]
        let initFile = SourceFile(path: "pkg/__init__.py", language: .python, lines: ["from ._core import *"])
        DeclarationScanner.applyPythonModulePrivacy(&python, files: [initFile])
        #expect(python.map(\.isPublic) == [true, false], "a star import re-exports the module's public names, and only its")
    }
}
