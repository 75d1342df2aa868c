import Dispatch
import Foundation
import Synchronization

/// One ranged GET running on its own thread, for S3ReadStream's read-ahead.
final class S3ChunkFetch: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<Data, LifeboatError>?>(nil)

    /// Starts fetching `range` of `key` at once; `etag` pins the object version.
    init(client: S3Client, key: String, range: Range<Int64>, etag: String) {
        Thread.detachNewThread { [self] in
            let outcome: Result<Data, LifeboatError>
            do {
                outcome = .success(try client.getData(key: key, range: range, ifMatch: etag.isEmpty ? nil : etag))
            } catch {
                outcome = .failure(error as? LifeboatError ?? LifeboatError(.io, "S3 GET \(client.url(of: key)) failed: \(error)", cause: error))
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// Blocks until the fetch is done; call once.
    func wait() -> Result<Data, LifeboatError> {
        done.wait()
        return result.withLock { $0.take()! }
    }
}
