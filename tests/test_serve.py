"""`yunzhao serve`, the real command in a subprocess: sub-path, reload events, error overlay.

A test edits the fixture site's content while the server runs and reads what the server says
on its Server-Sent Events stream and serves over HTTP; one test watches the same in Chromium.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO
from gate_tools import launch_chromium, sync_playwright

DEADLINE = 90          # seconds a rebuild may take before a test gives up (builds take about one)
CATALOGUE = "content/projects/2024.yaml"
PAGE = "zh/projects/alpha/"


@dataclass
class Server:
    process: subprocess.Popen
    url: str              # http://127.0.0.1:port/test/
    folder: Path          # the preview folder
    root: Path            # the site
    lines: "queue.Queue[str]"

    def get(self, rel: str) -> tuple[int, str, dict]:
        try:
            with urllib.request.urlopen(self.url + rel, timeout=30) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8"), dict(exc.headers)

    def wait_for_line(self, start: str) -> str:
        """The next line the server prints that contains `start`."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if start in line:
                return line
        raise AssertionError(f"the server never printed {start!r}")

    def edit(self, old: str, new: str) -> None:
        path = self.root / CATALOGUE
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")


def _pump(stream, lines):
    for line in stream:
        lines.put(line)


@pytest.fixture
def server(site):
    root = site()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("YUNZHAO_DEBUG", None)
    process = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--site", str(root), "--port", "0",
                                "--bind", "127.0.0.1"], cwd=REPO, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    url = folder = None
    seen = []
    deadline = time.monotonic() + DEADLINE
    while url is None and time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if line.startswith("preview folder: "):
            folder = Path(line.split(": ", 1)[1].strip())
        if line.startswith("serving on this computer: "):
            url = line.split(": ", 1)[1].strip()
    assert url, "the server did not start:\n" + "".join(seen)
    yield Server(process, url, folder, root, lines)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert not folder.exists(), "the temporary preview folder is removed when the server stops"


class Events:
    """An open Server-Sent Events stream, as a page holds it."""

    def __init__(self, server: Server, path: str):
        parts = urlsplit(server.url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=DEADLINE)
        self.connection.request("GET", path)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next_state(self, deadline: float | None = None) -> dict:
        event, data = None, []
        deadline = deadline or time.monotonic() + DEADLINE
        while True:
            # The server says "still here" every few seconds: without a deadline of our own, a
            # state that never comes would keep the test waiting for ever.
            assert time.monotonic() < deadline, "the expected event did not come"
            line = self.response.fp.readline().decode("utf-8")
            assert line, "the event stream closed"
            line = line.rstrip("\n")
            if not line:
                if event == "state":
                    return json.loads("\n".join(data))
                event, data = None, []
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])

    def wait_for(self, condition) -> dict:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            state = self.next_state(deadline)
            if condition(state):
                return state
        raise AssertionError("the expected event did not come")

    def close(self):
        self.connection.close()


def events_path(page_html: str) -> str:
    match = re.search(r'<script src="[^"]*__yunzhao__/live\.js" data-events="([^"]+)"></script>', page_html)
    assert match, "the served page carries the live-reload script"
    return match.group(1).replace("&amp;", "&")


def test_serves_the_site_under_its_sub_path_with_the_script_only_in_served_pages(server):
    assert urlsplit(server.url).path == "/test/"
    status, page, headers = server.get(PAGE)
    assert status == 200 and "阿尔法项目" in page
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "__yunzhao__/live.js" in page
    status, script, _ = server.get("__yunzhao__/live.js")
    assert status == 200 and "EventSource" in script
    built = (server.folder / PAGE / "index.html").read_text("utf-8")
    assert "__yunzhao__" not in built and "阿尔法项目" in built, "built files stay as yunzhao build writes them"
    status, _, _ = server.get("zh/no-such-page/")
    assert status == 404
    root = urlsplit(server.url)
    connection = http.client.HTTPConnection(root.hostname, root.port, timeout=30)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location") == "/test/"


def test_an_edit_reloads_the_page_and_an_error_shows_the_overlay_over_the_last_good_page(server):
    _, page, _ = server.get(PAGE)
    events = Events(server, events_path(page))
    try:
        first = events.next_state()
        assert first["reload"] is False and first["overlay"] == ""

        server.edit("title: {zh: 阿尔法项目, en: Alpha Project}", "title: {zh: 阿尔法新材料项目, en: Alpha Project}")
        events.wait_for(lambda state: state["reload"])
        # Only the pages that show the project were rendered again, not the whole site.
        said = server.wait_for_line("rebuilt in")
        rendered, total = map(int, re.search(r"\((\d+) of (\d+) pages rendered again\)", said).groups())
        assert 0 < rendered < total, said
        status, page, _ = server.get(PAGE)
        assert status == 200 and "阿尔法新材料项目" in page and "yunzhao-overlay" not in page

        events = Events(server, events_path(page))
        server.edit("investment: 176.1亿元", "investment: 五个亿")
        expected = 'content/projects/2024.yaml:9: investment: cannot read &quot;五个亿&quot;'
        broken = events.wait_for(lambda state: expected in state["overlay"])
        assert broken["reload"] is False
        status, page, _ = server.get(PAGE)
        assert status == 200
        assert "阿尔法新材料项目" in page, "the last good page stays served"
        assert 'id="yunzhao-overlay"' in page and expected in page

        server.edit("investment: 五个亿", "investment: 176.1亿元")
        fixed = events.wait_for(lambda state: state["overlay"] == "")
        assert fixed["reload"] is False, "the same site as before: nothing to reload"
        _, page, _ = server.get(PAGE)
        assert "yunzhao-overlay" not in page
    finally:
        events.close()


def test_the_browser_reloads_and_shows_the_overlay(server):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            with page.expect_response(lambda response: "__yunzhao__/events" in response.url):
                page.goto(server.url + PAGE)      # the page is listening once its event stream answered
            assert "阿尔法项目" in page.inner_text("main")
            server.edit("title: {zh: 阿尔法项目, en: Alpha Project}", "title: {zh: 阿尔法一期项目, en: Alpha Project}")
            page.wait_for_function("() => document.querySelector('main').innerText.includes('阿尔法一期项目')",
                                   timeout=DEADLINE * 1000)
            server.edit("investment: 176.1亿元", "investment: 五个亿")
            overlay = page.wait_for_selector("#yunzhao-overlay", timeout=DEADLINE * 1000)
            assert 'content/projects/2024.yaml:9: investment: cannot read "五个亿"' in overlay.inner_text()
            assert "阿尔法一期项目" in page.inner_text("main")
            server.edit("investment: 五个亿", "investment: 176.1亿元")
            page.wait_for_selector("#yunzhao-overlay", state="detached", timeout=DEADLINE * 1000)
        finally:
            browser.close()


def test_a_file_saved_while_the_preview_starts_is_not_missed(site, tmp_path):
    """Saved right after the first build, before the watcher is ready: the preview catches up."""
    from generator import serve
    root = site()
    out = tmp_path / "preview"
    session = serve.start(root, out, "127.0.0.1", 0, lambda outcome, changes: None)
    try:
        catalogue = root / CATALOGUE
        catalogue.write_text(catalogue.read_text("utf-8").replace("阿尔法项目", "阿尔法启动项目"), "utf-8")
        page = out / "zh/projects/alpha/index.html"
        deadline = time.monotonic() + DEADLINE
        while "阿尔法启动项目" not in page.read_text("utf-8"):
            assert time.monotonic() < deadline, "the edit was never built"
            time.sleep(0.2)
    finally:
        session.close()
