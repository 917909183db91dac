"""sim.heap: numpy's arrays in ordinary pages, and the allocator's settings taken where the C
library is glibc."""

from __future__ import annotations

import platform
import subprocess
import sys

# In a child process: the settings stay with the process that makes them. numpy's setter
# returns the setting it replaces: False once `tune_memory` has run.
CHILD = """
from sim.heap import _set_madvise_hugepage, tune_memory
took = tune_memory()
print(took, _set_madvise_hugepage(True))
"""


def test_huge_pages_off_and_glibc_takes_both_settings_other_c_libraries_keep_theirs():
    took, huge_pages = subprocess.run([sys.executable, "-c", CHILD], capture_output=True,
                                      text=True, check=True).stdout.split()
    assert took == str(platform.libc_ver()[0] == "glibc")
    assert huge_pages == "False"
