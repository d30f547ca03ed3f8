"""Compiled templates in the user's cache: reused, and entries nobody loads any more removed."""

from __future__ import annotations

import os
import time

import jinja2

from generator import template_cache


def environment(folder, source: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader({"page.html": source}),
                              bytecode_cache=template_cache.TemplateCodeCache(folder))


def test_a_compiled_template_is_reused_and_stale_entries_are_removed(tmp_path):
    folder = tmp_path / "templates"
    assert environment(folder, "<p>{{ x }}</p>").get_template("page.html").render(x=1) == "<p>1</p>"
    [entry] = list(folder.iterdir())
    # Loaded by the next build (the entry's code is used) and marked as in use.
    long_ago = time.time() - template_cache.KEEP_SECONDS - 60
    os.utime(entry, (long_ago, long_ago))
    again = environment(folder, "<p>{{ x }}</p>")
    bucket = again.bytecode_cache.get_bucket(again, "page.html", None, "<p>{{ x }}</p>")
    assert bucket.code is not None and entry.stat().st_mtime > long_ago

    # Entries of other versions nobody loads, and a killed build's temporary file, go when a
    # template is next compiled; recent ones stay.
    unused, recent, leftover = folder / ("0" * 64), folder / ("1" * 64), folder / f"{'2' * 64}.99.tmp"
    for path in (unused, recent, leftover):
        path.write_bytes(b"old")
    os.utime(unused, (long_ago, long_ago))
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    environment(folder, "<p>{{ y }}</p>").get_template("page.html")
    assert not unused.exists() and not leftover.exists()
    # (The edited template's entry replaced its old one: an entry is named by the template.)
    assert recent.exists() and entry.exists() and len(list(folder.iterdir())) == 2
