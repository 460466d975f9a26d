#include "CTuttiSystem.h"
#include <signal.h>
#include <string.h>

static void (*tutti_crash_restore)(void);
static struct sigaction tutti_previous_actions[65];

static void tutti_crash_handler(int signal) {
    if (tutti_crash_restore != NULL) tutti_crash_restore();
    sigaction(signal, &tutti_previous_actions[signal], NULL);
    raise(signal);
}

void tutti_on_crash(void (*restore)(void)) {
    int signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    tutti_crash_restore = restore;
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = tutti_crash_handler;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, &tutti_previous_actions[signals[i]]);
    }
}
