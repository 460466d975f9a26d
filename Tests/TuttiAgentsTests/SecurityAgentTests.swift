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
        #expect(result.vulnerabilities == 4)
        #expect(output.metrics["security_score"] == .number(30))
        #expect(output.metrics["vulnerabilities"] == .number(4))
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
        #expect(result.findings.first { $0.rule == "secret.password-assignment" }?.excerpt == "DB_PASSWORD = \"hu…\"",
                "the value is masked in the findings")
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
}
