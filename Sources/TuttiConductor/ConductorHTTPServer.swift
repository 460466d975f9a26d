import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import TuttiCore

/// `tutti serve`: Conductor's REST API (the subset its clients use to start, follow and
/// control workflows) over HTTP. Loopback only unless a bearer token is required; the Host
/// header must name the address served (no DNS rebinding), a browser page from elsewhere is
/// refused, bodies are bounded, and every refusal is Conductor's error JSON.
public enum ConductorHTTPServer {
    /// The largest request body read.
    static let maximumBody = 1 << 20

    /// Where to listen, and who may ask.
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// Required in `Authorization: Bearer …` (or Conductor's `X-Authorization`) when set.
        public var token: String?

        public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil) {
            self.host = host
            self.port = port
            self.token = token
        }

        /// Whether the address is this machine only.
        public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }
    }

    /// Serves until the process is stopped; `ready` is told the port once it listens.
    public static func run(_ settings: Settings, api: ConductorAPI, ready: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        router.add(middleware: Guard(settings: settings))
        routes(router, api: api)
        metadataRoutes(router, metadata: api.metadata)
        let app = Application(router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "tutti"),
                              onServerRunning: { channel in ready(channel.localAddress?.port ?? settings.port) },
                              logger: Logger(label: "tutti.serve", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await app.runService()
    }

    static func routes(_ router: Router<BasicRequestContext>, api: ConductorAPI) {
        router.post("/api/workflows") { request, _ in
            try await answer { try api.startTasks(try await body(request)) }
        }
        router.post("/api/workflow") { request, _ in
            try await answer {
                guard case .object(let start) = try await body(request), let name = start["name"]?.string else {
                    throw ConductorAPI.Failure(400, "a StartWorkflowRequest needs \"name\"")
                }
                var version: Int?
                if let given = start["version"], given != .null {
                    guard let number = given.number.flatMap({ Int(exactly: $0) }) else {
                        throw ConductorAPI.Failure(400, "\"version\" must be a whole number, got \(given)")
                    }
                    version = number
                }
                return try api.start(name: name, version: version, input: start["input"] ?? .object([:]),
                                     correlationId: start["correlationId"]?.string)
            }
        }
        // Start by name: the same place in the path as a workflow's id (the router wants one name for it).
        router.post("/api/workflow/:id") { request, context in
            try await answer {
                let version = try request.uri.queryParameters.get("version").map { text throws(ConductorAPI.Failure) in
                    guard let number = Int(text) else { throw ConductorAPI.Failure(400, "version must be a whole number, got '\(text)'") }
                    return number
                }
                return try api.start(name: context.parameters.get("id") ?? "", version: version,
                                     input: try await body(request, empty: .object([:])))
            }
        }
        router.get("/api/workflow/:id") { request, context in
            let include = request.uri.queryParameters.get("includeTasks").map { $0.lowercased() != "false" } ?? true
            return try await answerJSON { try api.workflow(context.parameters.get("id") ?? "", includeTasks: include) }
        }
        router.put("/api/workflow/:id/pause") { _, context in
            try await answerEmpty { try api.act(context.parameters.get("id") ?? "", .pause) }
        }
        router.put("/api/workflow/:id/resume") { _, context in
            try await answerEmpty { try api.act(context.parameters.get("id") ?? "", .resume) }
        }
        router.post("/api/workflow/:id/retry") { _, context in
            try await answerEmpty { try api.act(context.parameters.get("id") ?? "", .retry) }
        }
        router.post("/api/workflow/:id/restart") { _, context in
            try await answerEmpty { try api.restart(context.parameters.get("id") ?? "") }
        }
        router.delete("/api/workflow/:id") { request, context in
            try await answerEmpty {
                try api.act(context.parameters.get("id") ?? "", .cancel, reason: request.uri.queryParameters.get("reason").map { String($0) })
            }
        }
    }

    /// Conductor's metadata API: task and workflow definitions.
    static func metadataRoutes(_ router: Router<BasicRequestContext>, metadata: ConductorMetadata) {
        router.post("/api/metadata/taskdefs") { request, _ in
            try await answerEmpty { try metadata.registerTaskDefinitions(json: try await text(request)) }
        }
        router.put("/api/metadata/taskdefs") { request, _ in
            try await answerEmpty { try metadata.updateTaskDefinition(json: try await text(request)) }
        }
        router.get("/api/metadata/taskdefs/:name") { _, context in
            try await answerJSON { try metadata.taskDefinition(context.parameters.get("name") ?? "") }
        }
        router.post("/api/metadata/workflow") { request, _ in
            try await answerEmpty {
                try metadata.registerWorkflows(json: try await text(request), overwrite: flag(request, "overwrite") ?? false, many: false)
            }
        }
        router.put("/api/metadata/workflow") { request, _ in
            try await answerJSON {
                let names = try metadata.registerWorkflows(json: try await text(request), overwrite: true, many: true)
                return .object(["bulkErrorResults": .object([:]), "bulkSuccessfulResults": .array(names.map(JSONValue.string)),
                                "message": .string("Bulk Request has been processed.")])
            }
        }
        router.get("/api/metadata/workflow/:name") { request, context in
            try await answerJSON {
                let version = try request.uri.queryParameters.get("version").map { text throws(ConductorAPI.Failure) in
                    guard let number = Int(text) else { throw ConductorAPI.Failure(400, "version must be a whole number, got '\(text)'") }
                    return number
                }
                return try metadata.workflow(context.parameters.get("name") ?? "", version: version)
            }
        }
        router.get("/api/metadata/workflow") { _, _ in
            try await answerJSON { .array(metadata.allWorkflows) }
        }
    }

    /// A boolean query parameter: Conductor's clients send `True` as well as `true`.
    static func flag(_ request: Request, _ name: String) -> Bool? {
        request.uri.queryParameters.get(name).map { $0.lowercased() == "true" }
    }

    // MARK: - Bodies and answers

    /// The request body as text (definitions are read with their lines and columns).
    static func text(_ request: Request) async throws -> String {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: maximumBody) } catch {
            throw ConductorAPI.Failure(413, "the request body is larger than \(maximumBody >> 20) MiB")
        }
        guard let text = String(bytes: buffer.readableBytesView, encoding: .utf8) else {
            throw ConductorAPI.Failure(400, "the request body is not UTF-8 text")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ConductorAPI.Failure(400, "the request body is empty; it should be a JSON definition")
        }
        return text
    }

    static func body(_ request: Request, empty: JSONValue? = nil) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: maximumBody) } catch {
            throw ConductorAPI.Failure(413, "the request body is larger than \(maximumBody >> 20) MiB")
        }
        if buffer.readableBytes == 0, let empty { return empty }
        guard let value = JSONValue(json: Data(buffer.readableBytesView)) else {
            throw ConductorAPI.Failure(400, "the request body is not JSON")
        }
        return value
    }

    /// The id as text/plain, as Conductor answers a start.
    static func answer(_ start: () async throws -> String) async throws -> Response {
        do {
            let id = try await start()
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: id)))
        } catch let failure as ConductorAPI.Failure { return error(failure) }
    }

    static func answerJSON(_ make: () async throws -> JSONValue) async throws -> Response {
        do {
            let data = try JSONEncoder.sortedCompact.encode(try await make())
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch let failure as ConductorAPI.Failure { return error(failure) }
    }

    static func answerEmpty(_ act: () async throws -> Void) async throws -> Response {
        do {
            try await act()
            return Response(status: .ok)
        } catch let failure as ConductorAPI.Failure { return error(failure) }
    }

    /// Conductor's error JSON.
    static func error(_ failure: ConductorAPI.Failure) -> Response {
        let body: JSONValue = .object(["status": .number(Double(failure.status)), "message": .string(failure.message),
                                       "instance": .string("tutti"), "retryable": .bool(false)])
        let data = (try? JSONEncoder.sortedCompact.encode(body)) ?? Data()
        return Response(status: HTTPResponse.Status(code: failure.status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Refuses requests that are not for this server: a wrong token, a Host header naming
    /// another name (DNS rebinding), a page from another origin.
    struct Guard: RouterMiddleware {
        let settings: Settings

        func handle(_ request: Request, context: BasicRequestContext,
                    next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            if let token = settings.token {
                let given = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
                    ?? request.headers[.xAuthorization]
                guard given == token else { return ConductorHTTPServer.error(.init(401, "a bearer token is required (Authorization: Bearer TOKEN)")) }
            }
            if settings.isLoopback {
                let host = (request.head.authority ?? "").lowercased()
                let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }.dropFirst()) : String(host.split(separator: ":").first ?? "")
                guard ["localhost", "127.0.0.1", "::1"].contains(name) else {
                    return ConductorHTTPServer.error(.init(403, "this server answers requests for localhost only (Host: \(host))"))
                }
                if let origin = request.headers[.origin], !["http://localhost", "http://127.0.0.1", "http://[::1]"].contains(where: { origin.hasPrefix($0) }) {
                    return ConductorHTTPServer.error(.init(403, "requests from web pages of another origin are refused (Origin: \(origin))"))
                }
            }
            return try await next(request, context)
        }
    }
}

extension HTTPField.Name {
    /// The header Conductor's clients send their token in.
    static let xAuthorization = HTTPField.Name("X-Authorization")!
}
