import CentreConfig
import CentreOperations
import CentreStore
import CentreWorkflow
import Foundation
import HTTPTypes
import Hummingbird
import IntakeProtocol
import KioskDomain
import Logging
import NIOCore

/// The database cannot be reached (PostgreSQL restarting, the network):
/// the member of staff is told, in both languages, that nothing was saved
/// and to try again, rather than shown a bare 500.
struct DatabaseUnavailablePage: RouterMiddleware {
    typealias Context = ConsoleController.Context
    let logger: Logger

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DatabaseUnavailable {
            logger.error("console: \(error)")
            let texts = ConsoleTexts.table(ConsoleController.language(of: request))
            let page = """
                <!DOCTYPE html><html lang="\(ConsoleController.language(of: request).rawValue)"><head><meta charset="utf-8">\
                <title>\(texts[.unavailableTitle])</title><link rel="stylesheet" href="/static/console.css"></head>\
                <body><main id="main"><h1>\(texts[.unavailableTitle])</h1><p>\(texts[.unavailableDetail])</p>\
                </main></body></html>
                """
            return Response(status: .serviceUnavailable,
                            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .retryAfter: "5"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }
}
