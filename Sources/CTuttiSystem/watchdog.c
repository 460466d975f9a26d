#define _GNU_SOURCE
#include "CTuttiSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux never gives out a process id at or above 2^22 (PID_MAX_LIMIT on 64-bit). */
#define WATCHDOG_PID_LIMIT (1u << 22)

/* The watchdog's life, in the forked child: only system calls from here on (the parent had
   threads; their locks may be held forever in this copy of its memory). */
static void watch(int fd, char *const *on_death) {
    /* One bit per process group: a 512 KiB map, touched only where groups are. */
    uint64_t *groups = mmap(NULL, WATCHDOG_PID_LIMIT / 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (groups == MAP_FAILED) _exit(1);
    int32_t records[1024];
    size_t held = 0;
    for (;;) {
        ssize_t got = read(fd, (char *)records + held, sizeof records - held);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break; /* The run's process has closed its end: it ended, or died. */
        held += (size_t)got;
        size_t whole = held / sizeof(int32_t);
        for (size_t i = 0; i < whole; i++) {
            int32_t record = records[i];
            uint32_t group = (uint32_t)(record < 0 ? -record : record);
            if (group == 0 || group >= WATCHDOG_PID_LIMIT) continue;
            if (record > 0) groups[group / 64] |= (uint64_t)1 << (group % 64);
            else groups[group / 64] &= ~((uint64_t)1 << (group % 64));
        }
        size_t rest = held - whole * sizeof(int32_t);
        for (size_t i = 0; i < rest; i++) ((char *)records)[i] = ((char *)records)[whole * sizeof(int32_t) + i];
        held = rest;
    }
    /* Every group still registered belongs to a task whose run never saw it end. Tasks that
       run elsewhere (Slurm jobs) are ended first by the run's own command (scancel). */
    int left = 0;
    for (uint32_t word = 0; word < WATCHDOG_PID_LIMIT / 64 && !left; word++) left = groups[word] != 0;
    if (left && on_death != NULL && on_death[0] != NULL) {
        pid_t helper = fork();
        if (helper == 0) {
            execvp(on_death[0], on_death);
            _exit(127);
        }
        if (helper > 0) {
            /* At most 30 s: a controller that does not answer must not keep the groups alive. */
            int status;
            struct timespec pause = { 0, 50 * 1000 * 1000 };
            int waited = 0;
            while (waitpid(helper, &status, WNOHANG) == 0 && waited < 600) {
                nanosleep(&pause, NULL);
                waited++;
            }
            if (waited >= 600) {
                kill(helper, SIGKILL);
                waitpid(helper, &status, 0);
            }
        }
    }
    for (uint32_t word = 0; word < WATCHDOG_PID_LIMIT / 64; word++) {
        if (groups[word] == 0) continue;
        for (uint32_t bit = 0; bit < 64; bit++) {
            if (groups[word] & ((uint64_t)1 << bit)) {
                pid_t group = (pid_t)(word * 64 + bit);
                kill(-group, SIGKILL);
                kill(-group, SIGCONT);
            }
        }
    }
    _exit(0);
}

int tutti_watchdog_start(pid_t *watchdog_pid, char *const *on_death) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(pair[0]);
        close(pair[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        /* Its own process group: a signal to the run's group (Ctrl-C, a CI job's kill) must
           not take the watchdog with it. It ignores what would end it early. */
        setpgid(0, 0);
        struct sigaction ignore = { .sa_handler = SIG_IGN };
        int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2 };
        for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) sigaction(ignored[i], &ignore, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_NAME, "tutti-watchdog", 0, 0, 0);
        /* Nothing of the parent's stays open here but its end of the pair: no pipe, socket,
           lock or terminal is held on the run's behalf. */
        int keep = fcntl(pair[0], F_DUPFD, 10);
        if (keep < 0) _exit(1);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        if (dup2(keep, 3) < 0) _exit(1);
        if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0) {
            for (int fd = 4; fd < 65536; fd++) close(fd);
        }
        watch(3, on_death);
    }
    close(pair[0]);
    *watchdog_pid = pid;
    return pair[1];
}
