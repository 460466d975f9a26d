#ifndef TUTTI_CNCURSES_SHIM_H
#define TUTTI_CNCURSES_SHIM_H

#define _XOPEN_SOURCE_EXTENDED 1
#include <langinfo.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

/* ncurses keeps its state in C globals, which Swift 6 cannot read safely; these small
   functions read them for the one thread that drives the terminal. */
static inline WINDOW *tutti_stdscr(void) { return stdscr; }
static inline int tutti_lines(void) { return LINES; }
static inline int tutti_cols(void) { return COLS; }
static inline int tutti_colors(void) { return COLORS; }
static inline int tutti_color_pairs(void) { return COLOR_PAIRS; }
static inline int tutti_key_resize(void) { return KEY_RESIZE; }
static inline chtype tutti_color_pair(int n) { return COLOR_PAIR(n); }
static inline void tutti_set_locale(void) { setlocale(LC_ALL, ""); }
/* Escape alone must close a window at once, not after ncurses' default second. */
static inline void tutti_short_escape_delay(void) { set_escdelay(25); }

/* Sets the locale from the environment; true when it really is UTF-8 (a locale that is
   named but not installed falls back to "C"). */
static inline bool tutti_locale_is_utf8(void) {
    if (setlocale(LC_ALL, "") == NULL) return false;
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

/* True when the terminfo database knows $TERM for stdout; checked before the dashboard starts,
   because initscr() exits the process when it does not. */
static inline bool tutti_terminal_is_known(void) {
    int error = 0;
    if (setupterm(NULL, STDOUT_FILENO, &error) != OK) return false;
    del_curterm(cur_term);
    return true;
}

/* For atexit: gives the terminal back if the program exits while the dashboard is up. */
static inline void tutti_restore_terminal(void) {
    if (tutti_stdscr() != NULL && !isendwin()) endwin();
}

#endif
