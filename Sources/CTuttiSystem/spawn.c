#define _GNU_SOURCE
#include "CTuttiSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int tutti_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                        int stdin_fd, int stdout_fd, int stderr_fd, int own_group, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc;
    if ((rc = posix_spawn_file_actions_init(&actions)) != 0) return rc;
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    if (stdin_fd >= 0) {
        posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);

    /* exec already resets caught signals; only ignored ones survive it. Resetting just
       those (not all 64) saves a system call per signal in every child. */
    sigset_t reset, none;
    sigemptyset(&reset);
    int ignorable[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof(ignorable) / sizeof(ignorable[0]); i++) {
        struct sigaction current;
        if (sigaction(ignorable[i], NULL, &current) == 0 && current.sa_handler == SIG_IGN) {
            sigaddset(&reset, ignorable[i]);
        }
    }
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &reset);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, (own_group ? POSIX_SPAWN_SETPGROUP : 0) | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETSIGMASK);
    if (strchr(path, '/') != NULL) {
        rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    } else {
        rc = posix_spawnp(pid, path, &actions, &attr, argv, envp);
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int tutti_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int tutti_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int tutti_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int tutti_decode_wait_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -255;
}

int tutti_open_pty(int *master, char *name, size_t length) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, name, length) != 0) {
        close(fd);
        return -1;
    }
    *master = fd;
    return 0;
}
