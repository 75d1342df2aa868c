import Dispatch
import Foundation
import Synchronization

/// The parts of one multipart upload in flight: at most `slots` at once, each on its own thread, with
/// their ETags and the first failure collected under a lock.
final class S3PartUploads: Sendable {
    private let slots: DispatchSemaphore
    private let running = DispatchGroup()
    private let state = Mutex(State())

    private struct State {
        var etags: [Int: String] = [:]
        var failure: LifeboatError?
        var cancelled = false
    }

    init(slots: Int) {
        self.slots = DispatchSemaphore(value: slots)
    }

    /// Starts uploading one part; blocks while every slot is busy. Throws the first failure of an
    /// earlier part instead of starting this one.
    func start(client: S3Client, key: String, uploadID: String, partNumber: Int, body: Data) throws {
        slots.wait()
        if let failure {
            slots.signal()
            throw failure
        }
        running.enter()
        Thread.detachNewThread { [self] in
            defer {
                running.leave()
                slots.signal()
            }
            guard !state.withLock({ $0.cancelled || $0.failure != nil }) else { return }
            do {
                let etag = try client.uploadPart(key: key, uploadID: uploadID, partNumber: partNumber, body: body)
                state.withLock { $0.etags[partNumber] = etag }
            } catch {
                let failure = error as? LifeboatError
                    ?? LifeboatError(.io, "S3 upload of part \(partNumber) of \(client.url(of: key)) failed: \(error)", cause: error)
                state.withLock { if $0.failure == nil { $0.failure = failure } }
            }
        }
    }

    /// Parts not yet started are skipped; parts already sending finish.
    func cancel() { state.withLock { $0.cancelled = true } }

    func waitForAll() { running.wait() }

    var failure: LifeboatError? { state.withLock { $0.failure } }

    /// Part numbers and ETags, in part order.
    var etags: [(partNumber: Int, etag: String)] {
        state.withLock { $0.etags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
