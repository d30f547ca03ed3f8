"""Work done by forked processes during a build (background.py): the same result as doing it
here, and no process left behind, whether the build succeeds or stops on a content error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import background
from generator.build import build
from generator.errors import BuildFailed


def reaped(pid: int) -> bool:
    """Whether the process was waited for (the test session has other children of its own)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_result_comes_from_the_forked_process():
    parent = os.getpid()
    job = background.Background(lambda: (os.getpid(), [1, "二", b"3"]))
    forked = job.pid
    pid, value = job.result()
    assert pid == forked != parent and value == [1, "二", b"3"]
    assert reaped(forked)


def test_a_failure_there_is_met_again_here():
    def compute():
        raise ValueError("bad content")
    job = background.Background(compute)
    forked = job.pid
    with pytest.raises(ValueError, match="bad content"):
        job.result()
    assert reaped(forked)


def test_without_forking_the_work_is_done_when_asked_for():
    done = []
    job = background.Background(lambda: done.append(os.getpid()) or "ok", fork=False)
    assert done == []
    assert job.result() == "ok" and done == [os.getpid()]


def test_a_build_that_stops_on_a_content_error_leaves_no_process_behind(site, monkeypatch):
    root: Path = site()
    build(root, root / "output")          # output/ exists now: the next build lists it in a process
    forked = []
    start = background.Background.__init__

    def noting(self, *args, **kwargs):
        start(self, *args, **kwargs)
        forked.append(self.pid)
    monkeypatch.setattr(background.Background, "__init__", noting)
    catalogue = root / "content/projects/2024.yaml"
    catalogue.write_text(catalogue.read_text("utf-8").replace("5000万元", "五千万"), "utf-8")
    with pytest.raises(BuildFailed):
        build(root, root / "output")
    assert forked and all(pid is not None and reaped(pid) for pid in forked)
    assert not background._running
