import Foundation
import Testing
@testable import TuttiAgents
import TuttiCore

/// The security scan on a repository with planted problems and a clean file.
@Suite struct SecurityAgentTests {
    // Planted values are put together at run time, so this file itself holds none of them.
    static let awsKey = "AKIA" + "Q3EXAMPLEKEY7H2Z"
    static let keyHeader = "-----BEGIN " + "RSA PRIVATE KEY-----"

    static func repository() -> FixtureRepository {
        FixtureRepository([
            "app/config.py": "import os\n\nREGION = \"eu-west-1\"\nAWS_ACCESS_KEY_ID = \"\(awsKey)\"\n",
            "app/run.py": "import subprocess\n\ndef listing(path):\n    return subprocess.run(f\"ls {path}\", shell=True)\n",
            "app/net.py": "import requests\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n",
            "deploy/id_rsa": "\(keyHeader)\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n",
            "app/clean.py": """
            import hashlib
            import os
            import subprocess

            def listing(path):
                return subprocess.run(["ls", path], check=True)

            def digest(data):
                password = os.environ["DB_PASSWORD"]
                return hashlib.sha256(data + password.encode()).hexdigest()
            """,
            "README.md": "# Fixture\n\nNever call `requests.get(url, verify=False)` or `chmod 777` in this project.\n",
        ])
    }

    @Test func plantedProblemsAreFoundWithTheirPlaceAndTheCleanFileIsNot() throws {
        let repository = Self.repository()
        let output = CollectedOutput()
        let result = SecurityAgent(context: try repository.context("security", output: output)).run()
        let found = Set(result.findings.map { "\($0.rule) \($0.file):\($0.line)" })
        #expect(found == ["secret.aws-access-key app/config.py:4", "code.shell-injection app/run.py:4",
                          "code.tls-verification-off app/net.py:4", "secret.private-key deploy/id_rsa:1"])
        #expect(!result.findings.contains { $0.file == "app/clean.py" })
        #expect(result.score == 100 - 25 - 10 - 10 - 25)
        #expect(result.vulnerabilities == 2, "the seed's gate counts critical findings")
        #expect(output.metrics["security_score"] == .number(30))
        #expect(output.metrics["vulnerabilities"] == .number(2))
        #expect(output.all.contains("@tutti label vulnerabilities critical findings in shipped code"))
        let finding = try #require(result.findings.first { $0.rule == "code.shell-injection" })
        #expect(finding.explanation.hasPrefix("Running a shell on a string") && finding.remediation.hasPrefix("Pass an argument list"),
                "every finding says why it matters and how to fix it")
        #expect(output.all.contains { $0.hasPrefix("@tutti finding") && $0.contains(#""rule":"secret.aws-access-key""#)
            && $0.contains(#""severity":"critical""#) })
        #expect(output.metrics["compliance"] == .bool(false), "no LICENSE, no security policy")
        #expect(!result.findings.contains { $0.excerpt.contains(Self.awsKey) }, "secrets are masked in the findings")
        #expect(output.all.contains { $0.hasPrefix("@tutti progress") })

        let sarifPath = "\(try repository.context("security", output: CollectedOutput()).findingsDirectory)/security.sarif"
        let sarif = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarifPath))) as? [String: Any]
        #expect(sarif?["version"] as? String == "2.1.0")
        let results = ((sarif?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        #expect(results.count == 4)
    }

    @Test func theAllowlistSuppressesAReviewedFindingAndComplianceCanPass() throws {
        let repository = Self.repository()
        try "# reviewed: test server with a self-signed certificate\ncode.tls-verification-off app/net.py:4\n"
            .write(toFile: repository.scratch.file(".tutti-allowlist"), atomically: true, encoding: .utf8)
        try "MIT License\n".write(toFile: repository.scratch.file("LICENSE"), atomically: true, encoding: .utf8)
        try "# Fixture\n\n## Security\n\nReport problems to security@example.org.\n"
            .write(toFile: repository.scratch.file("README.md"), atomically: true, encoding: .utf8)
        let output = CollectedOutput()
        let result = SecurityAgent(context: try repository.context("security", output: output)).run()
        #expect(result.suppressed.map(\.rule) == ["code.tls-verification-off"])
        #expect(result.findings.count == 3)
        #expect(output.metrics["compliance"] == .bool(true))
    }

    @Test func commonFormsAreFoundAndCommentsLabelsAndDocsAreNot() throws {
        let repository = FixtureRepository([
            "app/settings.py": "DB_PASSWORD = \"hunter2hunter2\"\n# never hash a password with md5\nlabels = {\"password\": \"Password\"}\n",
            "web/run.js": "const { execSync } = require('child_process')\nexecSync(\"git checkout \" + branch)\n",
            "cmd/run.go": "package main\n\nfunc f(dir string) { exec.Command(\"sh\", \"-c\", \"rm -rf \"+dir) }\n",
            "data.csv": "0.0777,1\n",
        ])
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        #expect(Set(result.findings.map { "\($0.rule) \($0.file):\($0.line)" })
                == ["secret.password-assignment app/settings.py:1", "code.shell-injection web/run.js:2", "code.shell-injection cmd/run.go:3"])
        #expect(result.findings.first { $0.rule == "secret.password-assignment" }?.excerpt == "DB_PASSWORD = \"hun…\"",
                "the value is masked in the findings, enough of the line kept to recognise it")
        #expect(SecurityAgent.mask(#"let x = ["k": "say \"hi\" to secret-value"]"#) == #"let x = ["k": "say…"]"#,
                "escaped quotes stay inside the value they belong to")
    }

    @Test func aWorldWritableFileIsFound() throws {
        let repository = FixtureRepository(["shared.txt": "anyone can change me\n"])
        chmod(repository.scratch.file("shared.txt"), 0o666)
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        #expect(result.findings.map(\.rule) == ["file.world-writable"])
    }

    @Test func gitignoredFilesAreNotScanned() throws {
        let repository = FixtureRepository([".gitignore": "secrets/\n*.local\n", "secrets/key.pem": "\(Self.keyHeader)\n",
                                            "dev.local": "\(Self.keyHeader)\n", "ok.txt": "fine\n"])
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        #expect(result.findings.isEmpty)
    }

    // A documented example key, a test key and live-looking tokens, put together at run time.
    static let awsExample = "AKIA" + "IOSFODNN7EXAMPLE"
    static let liveToken = "ghp_" + "Q7d9kLm2Xv8RtW4nB6yZc1Hs5Jp0Ae3Gf8Ku"

    @Test func findingsOutsideShippedCodeAreInformationAndARealCredentialInShippedCodeStillCounts() throws {
        let repository = FixtureRepository([
            "docs/usage.rst": "Sign with a key::\n\n    \(Self.keyHeader)\n    MIIEpAIBAAKCAQEA\n\n    jwt.encode(payload, \"secret\", password=\"hunter22\")\n",
            "docs/aws.md": "Set `AWS_ACCESS_KEY_ID=\(Self.awsExample)` in your shell.\n",
            "tests/keys/testkey_rsa.priv": "\(Self.keyHeader)\nMIIEpAIBAAKCAQEA\n",
            "tests/test_signer.py": "SECRET_KEY = \"dev key for tests\"\n",
            "tests/fixtures/leaked.py": "GITHUB = \"\(Self.liveToken)\"\n",
            "examples/client.py": "client = Client(api_key=\"abcd1234efgh\")\n",
            "src/app/settings.py": "DB_PASSWORD = \"Tr0ub4dor-xyz\"\n",
            "src/app/__init__.py": "",
        ])
        let output = CollectedOutput()
        let result = SecurityAgent(context: try repository.context("security", output: output)).run()
        #expect(Set(result.counted.map { "\($0.rule) \($0.file):\($0.line)" })
                == ["secret.password-assignment src/app/settings.py:1", "secret.vcs-token tests/fixtures/leaked.py:1"],
                "shipped code, and a live-looking token wherever it is")
        #expect(Set(result.findings.filter { !$0.counts }.map { "\($0.role.rawValue) \($0.file):\($0.line)" })
                == ["documentation docs/usage.rst:3", "documentation docs/usage.rst:6", "documentation docs/aws.md:1",
                    "test tests/keys/testkey_rsa.priv:1", "test tests/test_signer.py:1", "example examples/client.py:1"])
        #expect(result.score == 100 - 10 - 25)
        #expect(result.vulnerabilities == 1)
        #expect(result.findings.first?.rule == "secret.vcs-token", "counted findings first, worst first")
        #expect(output.all.contains { $0.hasPrefix("@tutti finding") && $0.contains(#""severity":"info""#)
            && $0.contains("(in test files)") })
    }

    @Test func verifyFalseIsTLSOnlyInAnHTTPOrTLSClient() throws {
        let repository = FixtureRepository([
            "app/tokens.py": "import jwt\n\n\ndef peek(token):\n    return jwt.decode(token, verify=False)\n",
            "app/fetch.py": "import requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n",
            "app/client.py": "import httpx\n\n\ndef fetch(client, url):\n    return client.fetch(\n        url,\n        verify=False)\n",
            "app/other.py": "def check(schema, value):\n    return schema.validate(value, verify=False)\n",
        ])
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        #expect(Set(result.findings.map { "\($0.rule) \($0.file):\($0.line)" })
                == ["code.tls-verification-off app/fetch.py:5", "code.tls-verification-off app/client.py:7"])
    }

    @Test func codeThatRunsWhatItCompiledItselfIsANoteNotAnAlarm() throws {
        let repository = FixtureRepository([
            "lib/make.py": "def _make(script, globs):\n    bytecode = compile(script, \"<generated>\", \"exec\")\n    eval(bytecode, globs)\n",
            "lib/calc.py": "def run(expression):\n    return eval(expression)\n",
        ])
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        #expect(result.findings.map { "\($0.file):\($0.line) \($0.severity.rawValue)" }.sorted() == ["lib/calc.py:2 high", "lib/make.py:3 low"])
    }

    static var banditInstalled: Bool { Bandit.installed() != nil }

    @Test(.enabled(if: banditInstalled)) func banditsFindingsAreMergedAndItIsNamed() throws {
        let repository = FixtureRepository([
            "pkg/__init__.py": "",
            "pkg/loader.py": "import hashlib\nimport pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n\n\n"
                + "def etag(data):\n    return hashlib.md5(data).hexdigest()\n\n\ndef run(command):\n    assert command\n",
            "tests/test_loader.py": "import pickle\n\n\ndef test_load():\n    assert pickle.loads(pickle.dumps(1)) == 1\n",
        ])
        let output = CollectedOutput()
        let context = try repository.context("security", output: output)
        let result = SecurityAgent(context: context).run()
        #expect(result.findings.map { "\($0.rule) \($0.file):\($0.line) \($0.severity.rawValue) \($0.scanner)" }
                == ["bandit.B301 pkg/loader.py:6 medium bandit", "bandit.B324 pkg/loader.py:10 low bandit"],
                "pickle counts; a weak hash outside passwords is a note; assert and the tests are left out")
        #expect(result.findings.first?.title.hasPrefix("Pickle and modules that wrap it") == true)
        #expect(result.scanners.count == 2 && result.scanners[1].hasPrefix("bandit "))
        #expect(output.all.contains { $0.hasPrefix("scanners: tutti 10 rules; bandit ") })
        let summary = try String(contentsOfFile: "\(context.findingsDirectory)/security.json", encoding: .utf8)
        #expect(summary.contains(#""scanner" : "bandit""#))
    }

    @Test func languagesHaveTheirOwnCommentsAndRegexCompileIsNotCodeGeneration() throws {
        let repository = FixtureRepository([
            "Sources/Tool/Fetch.swift": "#if os(Linux)\nlet command = #\"curl -k https://example.org\"#\n#endif\n",
            "lib/calc.py": "import re\n\nPATTERN = re.compile(r\"\\d+\")\n\n\ndef run(expression):\n    return eval(expression)\n",
        ])
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        #expect(Set(result.findings.map { "\($0.rule) \($0.file):\($0.line) \($0.severity.rawValue)" })
                == ["code.tls-verification-off Sources/Tool/Fetch.swift:2 high", "code.eval lib/calc.py:7 high"],
                "a Swift line starting with # is code; re.compile is not compile()")
    }

    @Test(.enabled(if: banditInstalled)) func banditFindsWhatTheRulesMissAndOnePlaceIsOneFinding() throws {
        let repository = FixtureRepository([
            "pkg/__init__.py": "",
            "pkg/run.py": "from subprocess import run\n\n\ndef listing(path):\n    return run(\n        \"ls \" + path,\n        shell=True,\n    )\n\n\n"
                + "def fetch(requests, url):\n    return requests.get(url, verify=False)\n",
        ])
        let result = SecurityAgent(context: try repository.context("security", output: CollectedOutput())).run()
        let places = result.findings.map { "\($0.rule) \($0.file):\($0.line)" }
        #expect(places.contains { $0.hasPrefix("bandit.B602 pkg/run.py:") }, "a multi-line shell=True call the line rule cannot see: \(places)")
        #expect(places.filter { $0.contains("pkg/run.py:12") } == ["code.tls-verification-off pkg/run.py:12"],
                "the rule and Bandit's B501 flag one place: one finding")
    }
}
