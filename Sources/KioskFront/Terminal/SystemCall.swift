#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, named, with errno's text.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public var description: String { "\(call) failed: \(String(cString: strerror(errno)))" }
}

/// Runs a system call, retrying when a signal interrupted it (EINTR), and
/// throws an error naming the call otherwise (as swift-nio's `syscall` does).
@discardableResult
func systemCall<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws(SystemCallError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Glibc.errno
        if error == EINTR { continue }
        throw SystemCallError(call: name, errno: error)
    }
}
