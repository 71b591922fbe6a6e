import CProcessHardening

/// What a daemon does first: its memory holds residents' answers and keys.
public enum ProcessHardening {
    /// Not dumpable from here on: no core file, and another process of the
    /// same user can neither attach to it nor read `/proc/PID/mem`. (The
    /// units also filter out `process_vm_readv`/`writev`.) Returns whether it took.
    @discardableResult
    public static func forbidMemoryAccess() -> Bool {
        kiosk_set_undumpable() == 0
    }
}

/// How the process's allocator gives memory back.
public enum ProcessMemory {
    /// Keeps up to `bytes` of freed memory instead of handing it back to the
    /// kernel at once. glibc's default (128 KiB, adjusted as it goes) made the
    /// centre give back and fault in SQLite's page cache on every commit once
    /// its work moved between threads: a quarter of its CPU went to page faults
    /// and madvise (`kiosk-bench drain`, docs/district-scale.md). Returns whether it took.
    @discardableResult
    public static func keepFreedMemory(upTo bytes: Int32) -> Bool {
        kiosk_set_malloc_trim_threshold(bytes) == 1
    }
}
