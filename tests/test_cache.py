"""The no-change fast path: kept only when inputs and output are exactly as the last build left them."""

from __future__ import annotations

import hashlib
import json
import os

from conftest import REPO, run_yunzhao, tree_digest
from generator.file_digests import FileDigests


def build(root):
    result = run_yunzhao("build", "--site", str(root), cwd=REPO)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_build_with_no_change_keeps_output_and_any_change_rebuilds(site):
    root = site()
    assert "built" in build(root)
    first = tree_digest(root / "output")

    assert "nothing changed since the last build" in build(root)
    assert tree_digest(root / "output") == first

    # An edit to content rebuilds, and the edit shows.
    catalogue = root / "content/projects/2024.yaml"
    catalogue.write_text(catalogue.read_text("utf-8").replace("阿尔法项目", "阿尔法二期项目"), "utf-8")
    assert "built" in build(root)
    assert "阿尔法二期项目" in (root / "output/zh/projects/alpha/index.html").read_text("utf-8")
    # The record of output/ that an incremental build brings up to date (cache.restat) is the
    # listing a fresh look at output/ gives.
    assert "nothing changed since the last build" in build(root)

    # Output touched by hand (a file deleted) is rebuilt whole, never trusted.
    (root / "output/zh/projects/alpha/index.html").unlink()
    assert "built" in build(root)
    assert (root / "output/zh/projects/alpha/index.html").is_file()


def test_options_are_part_of_what_must_not_change(site):
    root = site()
    build(root)
    strict = run_yunzhao("build", "--site", str(root), "--strict", cwd=REPO)
    # beta has no English title: a strict build must really run, and fail, not reuse the last one
    assert strict.returncode == 1 and "missing en translation" in strict.stderr


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_built(site):
    # Builds trust a file's stat to know its bytes unchanged (file_digests.py); the change time,
    # which no tool can set back, catches an edit whose size and mtime were restored (cp -p, rsync -t).
    root = site()
    catalogue = root / "content/projects/2024.yaml"
    long_ago = catalogue.stat().st_mtime_ns - 60 * 10**9
    os.utime(catalogue, ns=(long_ago, long_ago))       # hashed long after it was written: trusted
    build(root)
    assert "nothing changed since the last build" in build(root)
    text = catalogue.read_text("utf-8")
    catalogue.write_text(text.replace("阿尔法项目", "阿尔贝项目"), "utf-8")    # the same number of bytes
    os.utime(catalogue, ns=(long_ago, long_ago))
    assert catalogue.stat().st_size == len(text.encode("utf-8"))
    assert "built" in build(root)
    assert "阿尔贝项目" in (root / "output/zh/projects/alpha/index.html").read_text("utf-8")


def test_file_digests_are_trusted_only_when_stat_cannot_miss_an_edit(tmp_path):
    record = tmp_path / "digests.json"
    settled, fresh = tmp_path / "settled.txt", tmp_path / "fresh.txt"
    settled.write_bytes(b"one")
    fresh.write_bytes(b"two")
    long_ago = settled.stat().st_mtime_ns - 60 * 10**9
    os.utime(settled, ns=(long_ago, long_ago))
    first = FileDigests(record)
    assert first.of(settled) == hashlib.sha256(b"one").hexdigest()
    assert first.of(fresh) == hashlib.sha256(b"two").hexdigest()
    first.save()

    later = FileDigests(record)
    assert later.known(settled) == hashlib.sha256(b"one").hexdigest()
    # Hashed in the same seconds it was written: a second write in the same clock tick would not
    # show in stat, so it is read again.
    assert later.known(fresh) is None
    # Changed: new bytes, the same size, the old modification time put back.
    settled.write_bytes(b"uno")
    os.utime(settled, ns=(long_ago, long_ago))
    assert later.known(settled) is None
    assert later.of(settled) == hashlib.sha256(b"uno").hexdigest()
    # A damaged record, or entry, only means hashing again.
    later.save()
    kept = json.loads(record.read_text("utf-8"))
    kept["files"][str(settled)][0] = "not a stamp"
    record.write_text(json.dumps(kept), "utf-8")
    assert FileDigests(record).known(settled) is None
    record.write_text("{not json", "utf-8")
    assert FileDigests(record).known(settled) is None
    assert FileDigests(record).of(settled) == hashlib.sha256(b"uno").hexdigest()
