"""How the process gets memory for large arrays (`tune_memory`): freed memory kept for reuse,
in ordinary pages.

Called by the programs that run the model (the command line, the benchmarks' child
processes), not on import: a library should not change its host process's allocator.

A year end allocates and frees arrays of every pupil (England: about 8 million, 8 to 64 MB
each) dozens of times, and the roll's arrays grow into room never touched before. Two
defaults make the kernel do much of that work:
- glibc serves each allocation above its mmap threshold with fresh pages, which the kernel
  zeroes on first touch, and hands them back on free, so the next array of the same size
  faults in and zeroes its pages again. With mmap off and no trimming, freed arrays' pages
  are reused without a fault. England's 13-year pupil spin-up: kernel time 1.75 -> 0.55 s of
  6.7 s CPU (load 7), peak memory 0.81 -> 0.84 GB.
- numpy asks for transparent huge pages for every array of 4 MB or more; on this machine
  (`defrag=madvise`) each 2 MB page is found and zeroed at the first touch, and writing
  into fresh room costs several times the copy: the spin-up's roll admits took 0.70-0.83 s
  of CPU with huge pages and 0.23-0.24 s without; England x 10 years every mechanism
  (medians of 3, alternating, load 2-2.4): set-up 4.99 -> 4.49 s CPU, simulation 8.40 ->
  8.04 s, wall-clock 10.75 -> 9.67 s.
Which memory an array gets never changes a value: outputs are identical.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

try:
    from numpy._core.multiarray import _set_madvise_hugepage   # numpy 2
except ImportError:
    from numpy.core.multiarray import _set_madvise_hugepage    # numpy 1.26

# mallopt's parameter numbers (glibc's malloc.h).
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
# Free memory at the top of the heap kept up to this size, not returned to the kernel: the
# largest a C int holds (2 GB), above England's peak.
KEEP_BYTES = 2**31 - 1


def tune_memory() -> bool:
    """numpy's arrays in ordinary pages (the setting numpy's NUMPY_MADVISE_HUGEPAGE=0 makes,
    which it reads only when first imported), and from glibc's heap (no mmap), freed memory
    kept for the next ones (no trimming). Whether the allocator took its settings: False
    where the C library is not glibc (macOS, musl), where its defaults stay."""
    _set_madvise_hugepage(False)
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    # mallopt returns 1 on success, 0 on error.
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, KEEP_BYTES))
