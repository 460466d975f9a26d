#ifndef CTUTTIBENCH_H
#define CTUTTIBENCH_H

#include <stddef.h>

// Opens a new pseudo-terminal: its master side in *master, its slave side's path in name.
// Returns 0, or -1 with errno set. The benchmark draws the dashboard on one.
int tutti_open_pty(int *master, char *name, size_t length);

#endif
