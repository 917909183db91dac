"""Stopping work in the run thread from the page's thread, at the run thread's next call.

The dashboard builds a run's model (region, schools' state, the scheme's partnerships: a few
seconds for the largest region allowed, more on a loaded machine) in its run thread, where
no signal reaches, and before the term-by-term loop that checks Stop. `stoppable(event)`
installs a profile hook in the current thread only, which raises `Stopped` at the thread's
next Python or C-function call once `event` is set, so Stop takes effect during the build;
a NumPy call already running finishes first (each well under a second at the size bounds).
The hook is removed when the block ends, so the simulation itself runs without it.
"""

from __future__ import annotations

import contextlib
import sys
import threading


class Stopped(Exception):
    """Raised in the thread inside `stoppable` once its event is set."""


@contextlib.contextmanager
def stoppable(event: threading.Event):
    def check(frame, what, arg):
        if event.is_set():
            sys.setprofile(None)
            raise Stopped()

    previous = sys.getprofile()
    sys.setprofile(check)
    try:
        yield
    finally:
        sys.setprofile(previous)
