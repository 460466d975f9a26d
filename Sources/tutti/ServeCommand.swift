import ArgumentParser
import Foundation
import TuttiConductor
import TuttiCore

/// `tutti serve`: Conductor's workflow API over HTTP, so Conductor's clients (and the seed's
/// curl call) start, follow and control Tutti runs.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Conductor's workflow API over HTTP (default 127.0.0.1:8080).",
        discussion: "Runs it starts are ordinary runs: recorded, listed by tutti runs, watched with tutti watch, replayed. "
            + "Only this machine may connect unless --token-file names a file holding the bearer token every request must carry."
    )

    @Option(help: "The address and port to listen on.")
    var listen = "127.0.0.1:8080"

    @Option(help: "A file holding the bearer token requests must carry; required to listen beyond this machine.")
    var tokenFile: String?

    @Option(help: "Folder of workflow files the API starts by name.")
    var workflowsDir = "workflows"

    @OptionGroup var runs: RunsFolderOption

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            Console.err("tutti serve: --listen takes ADDRESS:PORT, such as 127.0.0.1:8080 (port 0: any free port)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        var settings = ConductorHTTPServer.Settings(host: String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
        if let tokenFile {
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  !token.isEmpty else {
                Console.err("tutti serve: cannot read a token from \(tokenFile)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            settings.token = token
        }
        guard settings.isLoopback || settings.token != nil else {
            Console.err("tutti serve: \(settings.host) is reachable from other machines, and this server starts commands: "
                        + "give --token-file, or listen on 127.0.0.1")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let api: ConductorAPI
        do { api = try ConductorAPI(workflowsDirectory: workflowsDir, runsDirectory: runs.runsDir) } catch {
            Console.err("tutti serve: the definitions registered before cannot be read:\n\(error)\n"
                        + "hint: mend the file, or move it away to start with none registered")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let host = settings.host
        do {
            try await ConductorHTTPServer.run(settings, api: api) { port in
                Console.err("tutti serve: Conductor's API on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/api "
                            + "(workflows from \(workflowsDir), runs in \(runs.runsDir))")
            }
        } catch {
            Console.err("tutti serve: \(error)")
            await api.executions.finishAll(reason: "the server stopped")
            throw ExitCode(ExitStatus.invalidInput)
        }
        await api.executions.finishAll(reason: "the server was stopped")
    }
}
