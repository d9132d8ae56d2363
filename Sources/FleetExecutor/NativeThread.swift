import Glibc

/// A joinable POSIX thread. The executor's loops block in libcurl and libbpf, so they run on their
/// own threads rather than on the Swift concurrency pool.
struct NativeThread {
    private let handle: pthread_t

    /// Starts `body` on a new thread; `join()` or `detach()` it exactly once.
    static func spawn(_ body: @escaping @Sendable () -> Void) -> NativeThread {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { raw in
            let context = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            context.body()
            return nil
        }, context)
        // Only resource exhaustion makes pthread_create fail; the executor cannot run without its loops.
        precondition(status == 0, "pthread_create failed: \(status)")
        return NativeThread(handle: handle)
    }

    private init(handle: pthread_t) { self.handle = handle }

    /// Waits for the thread to finish.
    func join() {
        _ = pthread_join(handle, nil)
    }

    /// Lets the thread finish on its own; its resources are freed when it ends.
    func detach() {
        _ = pthread_detach(handle)
    }
}

private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A condition variable that sleeping loops wait on, so that stopping wakes them at once.
final class WakeSignal: @unchecked Sendable {
    // The mutex and condition live at fixed heap addresses and are only touched through pthread calls.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var signalled = false

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Sleeps up to `seconds` (`.infinity`: until signalled); returns early, and at once from then on,
    /// after `signal()`.
    func wait(seconds: Double) {
        wait(seconds: seconds, until: { false })
    }

    /// Like `wait(seconds:)`, and returns as soon as `isDone` answers true: it is asked first, then at every `pulse()`.
    /// `isDone` runs with the signal's lock held; it must not use this signal.
    func wait(seconds: Double, until isDone: () -> Bool) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let total = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + max(0, seconds.isNaN ? 0 : seconds)
        // Past about 30 years from boot (or infinity) the deadline does not fit a timespec: wait untimed.
        let deadline: timespec? = total < 1e9
            ? timespec(tv_sec: Int(total), tv_nsec: min(999_999_999, Int((total - total.rounded(.down)) * 1e9)))
            : nil
        pthread_mutex_lock(mutex)
        while !signalled && !isDone() {
            if var deadline {
                if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
        pthread_mutex_unlock(mutex)
    }

    /// Wakes every waiter, now and in the future.
    func signal() {
        pthread_mutex_lock(mutex)
        signalled = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Wakes the waiters so that they check their conditions again; unlike `signal()` it leaves no trace for later waits.
    func pulse() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}

/// A one-shot completion flag a thread sets when it ends and another waits for.
final class CompletionFlag: @unchecked Sendable {
    private let wake = WakeSignal()
    func complete() { wake.signal() }
    func wait() { wake.wait(seconds: .infinity) }
}
