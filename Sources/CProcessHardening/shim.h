// prctl(2) is variadic, which Swift cannot call: one fixed-argument wrapper.
#include <sys/prctl.h>
#include <malloc.h>

/// Marks the calling process not dumpable: no core file, and no other process
/// of the same user may ptrace it or read its memory through /proc.
static inline int kiosk_set_undumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/// mallopt(3) for the one setting the centre changes: how much freed memory
/// glibc keeps before it gives the top of a heap back to the kernel.
static inline int kiosk_set_malloc_trim_threshold(int bytes) {
    return mallopt(M_TRIM_THRESHOLD, bytes);
}
