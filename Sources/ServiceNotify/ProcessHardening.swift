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
