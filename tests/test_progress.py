"""The progress display: a bar on a terminal, plain lines in CI logs, silence for short builds."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from conftest import REPO
from generator.progress import Progress


def test_plain_lines_every_tenth_of_a_long_render():
    stream = io.StringIO()
    progress = Progress(stream, bar=False, delay=0)
    progress("content")                        # stages without a count: nothing in a log
    for done in range(0, 2001, 50):
        progress("pages", done, 2000)
    lines = stream.getvalue().splitlines()
    assert lines == [f"rendering pages: {n}/2000 ({n // 20}%)" for n in range(0, 2001, 200)]
    assert "\r" not in stream.getvalue()


def test_a_small_site_writes_no_lines_to_a_log():
    stream = io.StringIO()
    progress = Progress(stream, bar=False, delay=0)
    for done in range(0, 101):
        progress("pages", done, 100)
    assert stream.getvalue() == ""


def test_a_bar_on_a_terminal_is_drawn_in_place_and_cleared():
    stream = io.StringIO()
    progress = Progress(stream, bar=True, delay=0)
    progress("pages", 15, 30)
    assert stream.getvalue().startswith("\rrendering pages")
    assert "[" + "#" * 15 + "." * 15 + "] 15/30" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r")
    assert "\n" not in stream.getvalue()


def test_nothing_shows_before_the_delay():
    stream = io.StringIO()
    progress = Progress(stream, bar=True)      # the default delay of a second
    progress("pages", 1, 2)
    assert stream.getvalue() == ""


def test_the_build_draws_a_bar_on_a_terminal(site):
    """Through the real command, with its error stream on a pseudo-terminal."""
    root = site()
    leader, follower = pty.openpty()
    env = {**os.environ, "YUNZHAO_PROGRESS_DELAY": "0", "CI": "false", "TERM": "xterm"}
    env.pop("YUNZHAO_DEBUG", None)
    process = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--site", str(root)], cwd=REPO,
                             env=env, stdout=subprocess.PIPE, stderr=follower, text=True, timeout=300)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert process.returncode == 0, process.stdout
    text = drawn.decode("utf-8")
    assert "\rrendering pages" in text and "] " in text, text
    assert "built " in process.stdout
