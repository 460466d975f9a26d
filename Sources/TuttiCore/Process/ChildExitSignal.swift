import Foundation

/// SIGCHLD on the calling thread. Tutti learns of a child's end from its pidfd, never from the
/// signal; left ignored and unblocked on the thread that started the child, the signal is
/// dropped by the kernel when the child ends.
enum ChildExitSignal {
    /// Unblocks SIGCHLD on the calling thread; returns the mask to put back.
    static func unblock() -> sigset_t {
        var childExit = sigset_t()
        var saved = sigset_t()
        sigemptyset(&childExit)
        sigaddset(&childExit, SIGCHLD)
        pthread_sigmask(SIG_UNBLOCK, &childExit, &saved)
        return saved
    }

    /// Puts back a mask that `unblock` returned.
    static func restore(_ saved: sigset_t) {
        var saved = saved
        pthread_sigmask(SIG_SETMASK, &saved, nil)
    }
}
