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

/* Every group counted from its start to its end: one byte per process id, in a memory file
   shared with the run's process; only the pages where groups are get memory. */
#define WATCHDOG_MAP_SIZE ((off_t)WATCHDOG_PID_LIMIT)

/* Looks at one group's count: with `kill_them`, sends a counted group SIGKILL (and SIGCONT,
   for a stopped one); returns whether it was counted. */
static int counted(volatile uint8_t *groups, off_t group, int kill_them) {
    if (__atomic_load_n(&groups[group], __ATOMIC_SEQ_CST) == 0) return 0;
    if (kill_them) {
        kill(-(pid_t)group, SIGKILL);
        kill(-(pid_t)group, SIGCONT);
    }
    return 1;
}

/* Goes through the groups counted (`counted`), in the pages written only (the rest of the
   file is a hole, which reading would fill), or in every page if the file cannot say which
   were written; returns whether there was any. */
static int counted_groups(int counts, volatile uint8_t *groups, int kill_them) {
    int found = 0;
    off_t at = lseek(counts, 0, SEEK_DATA);
    /* The file cannot say which pages were written: every one is looked at. */
    int every = at < 0 && errno != ENXIO;
    if (every) at = 1;
    while (at >= 0 && at < WATCHDOG_MAP_SIZE) {
        off_t end = every ? WATCHDOG_MAP_SIZE : lseek(counts, at, SEEK_HOLE);
        if (end < 0 || end > WATCHDOG_MAP_SIZE) end = WATCHDOG_MAP_SIZE;
        for (off_t group = at; group < end; group++) {
            if (counted(groups, group, kill_them)) {
                found = 1;
                if (!kill_them) return found;
            }
        }
        at = every ? WATCHDOG_MAP_SIZE : lseek(counts, end, SEEK_DATA);
    }
    return found;
}

/* The watchdog's life, in the forked child: only system calls from here on (the parent had
   threads; their locks may be held forever in this copy of its memory). */
static void watch(int fd, int counts, char *const *on_death, volatile uint8_t *groups) {
    char ignored[64];
    for (;;) {
        ssize_t got = read(fd, ignored, sizeof ignored);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break; /* The run's process has closed its end: it ended, or died. */
    }
    /* Every group still registered belongs to a task whose run never saw it end. Tasks that
       run elsewhere (Slurm jobs) are ended first by the run's own command (scancel). */
    int left = counted_groups(counts, groups, 0);
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
    if (left) counted_groups(counts, groups, 1);
    _exit(0);
}

int tutti_watchdog_start(pid_t *watchdog_pid, char *const *on_death, uint8_t **groups) {
    int counts = memfd_create("tutti-watchdog", MFD_CLOEXEC);
    if (counts < 0) return -1;
    uint8_t *map = MAP_FAILED;
    if (ftruncate(counts, WATCHDOG_MAP_SIZE) == 0)
        map = mmap(NULL, (size_t)WATCHDOG_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, counts, 0);
    int pair[2] = { -1, -1 };
    pid_t pid = -1;
    if (map != MAP_FAILED && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) pid = fork();
    if (pid < 0) {
        int saved = errno;
        if (pair[0] >= 0) {
            close(pair[0]);
            close(pair[1]);
        }
        if (map != MAP_FAILED) munmap(map, (size_t)WATCHDOG_MAP_SIZE);
        close(counts);
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
        /* Nothing of the parent's stays open here but its end of the pair and the counts'
           file: no pipe, socket, lock or terminal is held on the run's behalf. */
        int keep = fcntl(pair[0], F_DUPFD, 10);
        int keep_counts = fcntl(counts, F_DUPFD, 10);
        if (keep < 0 || keep_counts < 0) _exit(1);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        /* Closed on exec: the command run at the run's death (scancel) holds neither. */
        if (dup3(keep, 3, O_CLOEXEC) < 0 || dup3(keep_counts, 4, O_CLOEXEC) < 0) _exit(1);
        if (syscall(SYS_close_range, 5u, ~0u, 0u) != 0) {
            for (int fd = 5; fd < 65536; fd++) close(fd);
        }
        watch(3, 4, on_death, map);
    }
    close(pair[0]);
    close(counts);
    *watchdog_pid = pid;
    *groups = map;
    return pair[1];
}

void tutti_watchdog_count(uint8_t *groups, pid_t group, int delta) {
    if (group <= 0 || (uint32_t)group >= WATCHDOG_PID_LIMIT) return;
    __atomic_fetch_add(&groups[group], (uint8_t)delta, __ATOMIC_SEQ_CST);
}

void tutti_watchdog_unmap(uint8_t *groups) { munmap(groups, (size_t)WATCHDOG_MAP_SIZE); }
