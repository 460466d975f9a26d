#ifndef TUTTI_CNCURSES_SHIM_H
#define TUTTI_CNCURSES_SHIM_H

#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

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

/* For atexit: gives the terminal back if the program exits while the dashboard is up. */
static inline void tutti_restore_terminal(void) {
    if (tutti_stdscr() != NULL && !isendwin()) endwin();
}

#endif
