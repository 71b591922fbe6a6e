// prctl(2) is variadic, which Swift cannot call: one fixed-argument wrapper.
#include <sys/prctl.h>

/// Marks the calling process not dumpable: no core file, and no other process
/// of the same user may ptrace it or read its memory through /proc.
static inline int kiosk_set_undumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
