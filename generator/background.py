"""Work done by a forked process while this one goes on with something else.

A build has a few steps that need nothing from each other, on a machine with two or more
cores: listing output/ while the content is read; after an edit, patching the search index
while the kept page parts are loaded and the changed pages rendered; in a small site, rendering
its pages while the search index is built. A forked process starts in a millisecond with everything this one has loaded, and
sends its result back through a pipe. Where processes cannot be forked, or the forked one fails,
the work is done here, when its result is asked for.
"""

from __future__ import annotations

import os
import pickle
import sys

_UNSET = object()
_running: set["Background"] = set()      # forked, and not yet waited for


class Background:
    def __init__(self, compute, fork: bool = True):
        """`fork=False`: not worth a process (done here, when asked for)."""
        self.compute = compute
        self.value = _UNSET
        self.pid = None
        if not fork or not hasattr(os, "fork"):
            return
        sys.stdout.flush()
        sys.stderr.flush()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:       # the forked process: compute, send, and leave without any clean-up
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL))
            finally:
                os._exit(0)
        os.close(write_end)
        self.pid, self.read_end = pid, read_end
        _running.add(self)

    def result(self):
        """The result (waiting for the forked process, if it has not finished)."""
        self._wait()
        if self.value is _UNSET:
            self.value = self.compute()
        return self.value

    def _wait(self) -> None:
        if self.pid is None:
            return
        with os.fdopen(self.read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        self.pid = None
        _running.discard(self)
        try:
            self.value = pickle.loads(data)    # from our own process, never from a file
        except Exception:
            pass           # it failed: `result` computes it here (and meets its error, if any)


def join_all() -> None:
    """Wait for every forked process not waited for yet: a build that stopped early (on a content
    error) must not leave them behind in a process that goes on, such as `serve`."""
    for job in list(_running):
        job._wait()
