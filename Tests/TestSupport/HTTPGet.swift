import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One plain GET over loopback, waited for: a scrape or a health check as
/// monitoring makes them.
public func httpGet(_ url: String, timeout: TimeInterval = 10, headers: [String: String] = [:]) throws -> (status: Int, body: String) {
    try httpRequest("GET", url, timeout: timeout, headers: headers)
}

/// One request over loopback, waited for.
public func httpRequest(_ method: String, _ url: String, timeout: TimeInterval = 10, headers: [String: String] = [:],
                        body: Data? = nil) throws -> (status: Int, body: String) {
    final class Box: @unchecked Sendable { var result: Result<(Int, String), any Error>? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    request.httpBody = body
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    URLSession.shared.dataTask(with: request) { data, response, error in
        if let error {
            box.result = .failure(error)
        } else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.result = .success((status, String(decoding: data ?? Data(), as: UTF8.self)))
        }
        done.signal()
    }.resume()
    guard done.wait(timeout: .now() + timeout + 1) == .success, let result = box.result else {
        throw URLError(.timedOut)
    }
    let (status, body) = try result.get()
    return (status, body)
}
