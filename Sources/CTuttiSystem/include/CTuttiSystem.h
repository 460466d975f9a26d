#ifndef CTUTTI_SYSTEM_H
#define CTUTTI_SYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Spawns `path` with `argv`/`envp`, with stdin from `stdin_fd` (or /dev/null when it is
/// -1) and stdout/stderr on the given descriptors, ignored signals and the signal mask reset
/// to defaults, no other descriptor of this process open, in `cwd` when it is not NULL. With
/// `own_group` 1 the child leads a new process group; with 0 it stays in the caller's, where
/// signals to the caller's group reach it too. A `file_limit` of 0 or more lowers the child's
/// soft open-file limit to it (the limit this process was given before raising its own); -1
/// leaves it.
/// Looks the program up on this process's PATH (not envp's) when it contains no slash, as
/// posix_spawnp does (the engine resolves a task's program on the task's PATH first).
/// Returns 0 and sets *pid and *pidfd (readable when the child ends; close-on-exec; pass NULL
/// for none), or returns an errno value. The calling thread's mask of SIGCHLD is left as it
/// is, even while the child starts (see `RunEngine.launch`).
int tutti_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                int stdin_fd, int stdout_fd, int stderr_fd, int own_group, long file_limit, pid_t *pid, int *pidfd);

/// waitpid(2), retried after EINTR; with `blocking` 0 it returns 0 at once when the child
/// has not ended.
int tutti_wait(pid_t pid, int *status, int blocking);

/// Creates a pipe with O_CLOEXEC on both ends; returns 0 or -1 (errno set).
int tutti_pipe_cloexec(int fds[2]);

/// An eventfd(2) counter, non-blocking and close-on-exec; -1 on error.
int tutti_eventfd(void);

/// Decodes a waitpid status: exit code (>= 0) or -(signal number).
int tutti_decode_wait_status(int status);


/// On a crash (SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP) calls `restore` first
/// (to give the terminal back), then the handler that was there before (the runtime's
/// backtracer, or the default action).
void tutti_on_crash(void (*restore)(void));

/// Creates a Unix stream socket listening at `path`, readable and writable by the owner
/// only (mode 0600), close-on-exec. Replaces a stale socket file. Returns the descriptor,
/// or -1 (errno set; ENAMETOOLONG when the path does not fit a socket address).
int tutti_unix_listen(const char *path);

/// Connects to the Unix stream socket at `path`; returns the descriptor, or -1 (errno set).
int tutti_unix_connect(const char *path);

/// Accepts a connection, close-on-exec; the descriptor or -1.
int tutti_unix_accept(int fd);

/// Sends every byte on a socket without raising SIGPIPE (MSG_NOSIGNAL), retrying after
/// EINTR and short writes; 0, or -1 when the peer has gone or on another error.
int tutti_send_all(int fd, const void *bytes, size_t count);

/// The user id of the process at the other end of a Unix socket, or -1.
long tutti_peer_uid(int fd);

/// Forks a watchdog for a run: a process of its own (its own group, no descriptor of this
/// process but one socket and the counts' memory file) that shares with this process a count for every process group id,
/// and, when this process's end of the socket closes — it ended, or was killed with SIGKILL —
/// sends SIGKILL to every group whose count is not zero, then exits. Registering a group is
/// `tutti_watchdog_count(groups, group, 1)`, unregistering it the same with -1: memory
/// shared with the watchdog, no system call and no wake of the watchdog.
/// When groups are still registered at that moment and `on_death` (a NULL-terminated argv,
/// or NULL) is given, it runs that command first and waits for it (scancel for Slurm jobs).
/// Returns the descriptor (close-on-exec) and sets *watchdog_pid and *groups (unmap it with
/// `tutti_watchdog_unmap` once no group is counted any more), or -1 (errno set).
int tutti_watchdog_start(pid_t *watchdog_pid, char *const *on_death, uint8_t **groups);

/// Adds `delta` (1 or -1) to a process group's count in the map shared with the watchdog
/// (atomically: attempts register from their own threads). Ids outside 1 to 2^22 - 1 are ignored.
void tutti_watchdog_count(uint8_t *groups, pid_t group, int delta);

/// Unmaps the counts `tutti_watchdog_start` shared.
void tutti_watchdog_unmap(uint8_t *groups);

/// Has malloc map buffers of `threshold` bytes and more on their own and unmap them when
/// they are freed, keeping that threshold fixed (glibc otherwise raises it after the first
/// such buffer is freed). Returns 1 on success.
int tutti_map_large_buffers(size_t threshold);

#endif
