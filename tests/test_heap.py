"""sim.heap: the allocator's settings are taken where the C library is glibc."""

from __future__ import annotations

import platform
import subprocess
import sys


def test_glibc_takes_both_settings_and_other_c_libraries_keep_their_defaults():
    # In a child process: the settings stay with the process that makes them.
    took = subprocess.run(
        [sys.executable, "-c", "from sim.heap import keep_freed_memory; "
                               "print(keep_freed_memory())"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert took == str(platform.libc_ver()[0] == "glibc")
