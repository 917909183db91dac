"""The C allocator told to keep freed memory for reuse (`keep_freed_memory`).

Called by the programs that run the model (the command line, `experiments.bench_pupils`),
not on import: a library should not change its host process's allocator.

A year end allocates and frees arrays of every pupil (England: about 8 million, 8 to 64 MB
each) dozens of times. glibc serves each allocation above its mmap threshold with fresh
pages from the kernel, which zeroes every page on first touch, and hands them back on free,
so the next array of the same size faults in and zeroes its pages again. On England's
13-year pupil spin-up that kernel time was 1.75 of 6.7 s of CPU (load 7); with mmap off
and no trimming it was 0.55 s, the freed arrays' pages reused without a fault, and peak
memory 0.81 -> 0.84 GB. Which memory an array gets never changes a value: outputs are
identical.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

# mallopt's parameter numbers (glibc's malloc.h).
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
# Free memory at the top of the heap kept up to this size, not returned to the kernel: the
# largest a C int holds (2 GB), above England's peak.
KEEP_BYTES = 2**31 - 1


def keep_freed_memory() -> bool:
    """Large arrays from the heap (no mmap), and freed memory kept for the next ones (no
    trimming). Whether the allocator took the settings: False where the C library is not
    glibc (macOS, musl), where the defaults stay."""
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    # mallopt returns 1 on success, 0 on error.
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, KEEP_BYTES))
