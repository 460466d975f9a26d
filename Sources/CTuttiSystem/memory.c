#include "CTuttiSystem.h"
#include <malloc.h>

int tutti_map_large_buffers(size_t threshold) {
    return mallopt(M_MMAP_THRESHOLD, (int)threshold);
}
