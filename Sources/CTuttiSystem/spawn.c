#define _GNU_SOURCE
#include "CTuttiSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the child needs; `error` is written by the child when it cannot exec. */
struct spawn_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    int stdin_fd, stdout_fd, stderr_fd, own_group;
    long file_limit;
    volatile int error;
};

/* Signals reset to their default in the child when this process ignores them: Tutti's own
   choices (SIGPIPE...) must not reach the programs it runs. Other ignored signals stay
   ignored across exec, as POSIX has it. */
static int resets_when_ignored(int sig) {
    switch (sig) {
    case SIGINT: case SIGTERM: case SIGHUP: case SIGQUIT: case SIGPIPE: case SIGCHLD:
    case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGUSR1: case SIGUSR2:
        return 1;
    default:
        return 0;
    }
}

static int move_fd(int from, int to) {
    if (from == to) return fcntl(to, F_SETFD, 0);
    return dup2(from, to) < 0 ? -1 : 0;
}

/* Runs in the child, which shares this process's memory (and the calling thread's errno)
   until it execs; the calling thread is suspended meanwhile. Only system calls here: no
   allocation, no locks. */
static int spawn_child(void *argument) {
    struct spawn_request *request = argument;
    /* Every signal but SIGCHLD is blocked (the parent blocked them before cloning; this child
       has no children to raise SIGCHLD). Before unblocking, no handler of this process may be
       left installed: it would run in the child. */
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction current;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &current) != 0) continue;
        if (current.sa_handler == SIG_DFL) continue;
        if (current.sa_handler == SIG_IGN && !resets_when_ignored(sig)) continue;
        struct sigaction standard;
        memset(&standard, 0, sizeof standard);
        standard.sa_handler = SIG_DFL;
        sigaction(sig, &standard, NULL);
    }
    if (request->own_group && setpgid(0, 0) != 0) goto failed;
    if (request->stdin_fd >= 0) {
        if (move_fd(request->stdin_fd, 0) != 0) goto failed;
    } else {
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd < 0 || move_fd(null_fd, 0) != 0) goto failed;
        if (null_fd != 0) close(null_fd);
    }
    if (move_fd(request->stdout_fd, 1) != 0 || move_fd(request->stderr_fd, 2) != 0) goto failed;
    if (request->cwd != NULL && chdir(request->cwd) != 0) goto failed;
    /* Nothing else this process holds goes with the program, whatever its caller left open
       without close-on-exec: a copy of a pipe in a task would keep its reader waiting. (This
       child has its own table of descriptors; the parent's are untouched.) */
    syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
    if (request->file_limit >= 0) {
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && (rlim_t)request->file_limit < limit.rlim_cur) {
            limit.rlim_cur = (rlim_t)request->file_limit;
            setrlimit(RLIMIT_NOFILE, &limit);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (strchr(request->path, '/') != NULL) {
        execve(request->path, request->argv, request->envp);
    } else {
        execvpe(request->path, request->argv, request->envp);
    }
failed:
    request->error = errno != 0 ? errno : ENOEXEC;
    _exit(127);
}

int tutti_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                int stdin_fd, int stdout_fd, int stderr_fd, int own_group, long file_limit, pid_t *pid, int *pidfd) {
    struct spawn_request request = {path, argv, envp, cwd, stdin_fd, stdout_fd, stderr_fd, own_group, file_limit, 0};
    /* The child's stack: room for the exec path search (one PATH entry plus the name) and
       for a script's argv when it falls back to /bin/sh. From the heap, not a fresh mapping:
       unmapping one after every spawn costs every thread of the process a TLB flush. */
    size_t argc = 0;
    while (argv[argc] != NULL) argc++;
    size_t stack_size = 64 * 1024 + (argc + 2) * sizeof(char *);
    char *stack = malloc(stack_size);
    if (stack == NULL) return ENOMEM;
    char *stack_top = (char *)(((uintptr_t)(stack + stack_size)) & ~(uintptr_t)15);

    /* SIGCHLD stays as it was: a thread that leaves it unblocked (and ignored, the default)
       has its children's SIGCHLD dropped when they end, instead of queued for the process,
       where it wakes the first thread that does not block it, only to be discarded. A short
       task can end before this thread has restored its mask after the clone. */
    sigset_t all, saved;
    sigfillset(&all);
    sigdelset(&all, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &all, &saved);
    int child_pidfd = -1;
    /* CLONE_VFORK: this thread waits until the child has exec'd (or failed). */
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (pidfd != NULL ? CLONE_PIDFD : 0);
    pid_t child = clone(spawn_child, stack_top, flags, &request, &child_pidfd);
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    free(stack);

    if (child < 0) return clone_error;
    if (request.error != 0) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        if (child_pidfd >= 0) close(child_pidfd);
        return request.error;
    }
    *pid = child;
    if (pidfd != NULL) *pidfd = child_pidfd;
    return 0;
}

int tutti_wait(pid_t pid, int *status, int blocking) {
    pid_t result;
    do {
        result = waitpid(pid, status, blocking ? 0 : WNOHANG);
    } while (result < 0 && errno == EINTR);
    return result;
}

int tutti_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int tutti_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int tutti_decode_wait_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -255;
}
