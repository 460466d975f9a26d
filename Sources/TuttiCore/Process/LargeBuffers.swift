import CTuttiSystem

/// How the process's allocator keeps large buffers: mapped on their own and given back to the
/// system when freed.
public enum LargeBuffers {
    /// Buffers of 128 KiB and more (a run's announcement and its report are megabytes at
    /// 10,000 tasks) are mapped on their own and unmapped when freed. glibc's default raises
    /// that threshold after the first such buffer is freed, so later ones come from the heap,
    /// where the space they leave stays resident: at 10,000 tasks the peak grew by 2.3 KiB a
    /// task that way, 1.6 KiB this way, at the same CPU time (the same build run with glibc's
    /// MALLOC_MMAP_THRESHOLD_ unset and set). Called once, first thing.
    public static func returnedToTheSystemWhenFreed() {
        _ = tutti_map_large_buffers(128 * 1024)
    }
}
