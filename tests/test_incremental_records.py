"""The records incremental builds keep in .yunzhao-cache/ (incremental.py): after an edit only the
files whose content changed are rewritten, and whatever state they are found in — from an older
build, damaged, planted — a build never uses a stale part and never runs code from them."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from generator import incremental
# built_demo and demo are fixtures: the demo built once per module, and a fresh copy per test.
from test_incremental import (_Planted, build, built_demo, clean_build, demo, edit,  # noqa: F401
                              site_digest, stamps, touched)

SHARDS = Path(".yunzhao-cache") / incremental.FRAGMENTS
PAGES = Path(".yunzhao-cache") / incremental.PAGES
EDITED = "xipeng-new-materials-plant"     # the first project with "status: under-construction"


class _Builtins(pickle.Unpickler):
    """These files hold builtins only; the test must not run a planted one either."""
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name}")


def shard_contents(root: Path) -> dict[str, dict]:
    """Each fragment file's fragments (key → (html, keys read, links)), of every page folder."""
    out = {}
    for path in sorted((root / SHARDS).iterdir()):
        with open(path, "rb") as f:
            folders = _Builtins(f).load()[-1]
        out[path.name] = {}
        for data in folders.values():
            out[path.name].update(_Builtins(io.BytesIO(data)).load()[1])
    return out


def holding(root: Path, keys: set[str]) -> set[str]:
    """The fragment files holding a fragment that read one of `keys`."""
    return {name for name, fragments in shard_contents(root).items()
            if any(not keys.isdisjoint(fragment[1]) for fragment in fragments.values())}


def test_an_edit_rewrites_only_the_fragment_files_that_changed(demo, tmp_path):
    assert len(list((demo / SHARDS).iterdir())) == incremental.SHARDS
    cards = holding(demo, {f"project:{EDITED}"})
    assert len(cards) == 1, cards      # the project's cards on every list, in every language
    before = stamps(demo / ".yunzhao-cache")
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    result = build(demo)
    assert "incremental:" in result.stdout, result.stdout
    rewritten = touched(before, stamps(demo / ".yunzhao-cache"))
    assert {Path(f).name for f in rewritten if f.startswith(incremental.FRAGMENTS + "/")} == cards
    # Every page read what it read before: the keys of pages are not written again.
    assert incremental.PAGES not in rewritten and incremental.RECORD in rewritten
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_a_fragment_file_left_from_an_earlier_build_is_checked_against_what_it_was_made_of(demo, tmp_path):
    # As if a build had been killed before it rewrote the file holding the project's cards,
    # after it wrote the record: the file still holds the cards showing the old status.
    cards = holding(demo, {f"project:{EDITED}"})
    old = {name: (demo / SHARDS / name).read_bytes() for name in cards}
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    build(demo)
    for name, data in old.items():
        (demo / SHARDS / name).write_bytes(data)
    # Another project's status: the list of projects is made again, from its cards.
    edit(demo, "projects/2024.yaml", "status: negotiating", "status: seeking")
    result = build(demo)
    assert "incremental:" in result.stdout, result.stdout
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")
    # Written again: without the old cards, with the new ones the list of projects needed.
    assert all((demo / SHARDS / name).read_bytes() != data for name, data in old.items())


def test_damaged_or_planted_fragment_files_are_made_again_and_never_run(demo, tmp_path):
    marker = demo / "planted-code-ran"
    names = sorted(p.name for p in (demo / SHARDS).iterdir())
    cards = sorted(holding(demo, {f"project:{EDITED}"}))
    damaged = {
        cards[0]: b"not a pickle",
        names[0] if names[0] != cards[0] else names[1]: pickle.dumps(_Planted(marker)),
    }
    # A file cut short, and one that holds another file's fragments (copied over it).
    contents = shard_contents(demo)
    others = [n for n in names if n not in damaged and contents[n]]
    damaged[others[0]] = (demo / SHARDS / others[0]).read_bytes()[:1000]
    damaged[others[1]] = (demo / SHARDS / others[2]).read_bytes()
    for name, data in damaged.items():
        (demo / SHARDS / name).write_bytes(data)
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    result = build(demo)
    assert "incremental:" in result.stdout, result.stdout
    assert not marker.exists()
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")
    contents = shard_contents(demo)        # each written again, whole (else this raises)
    assert contents[cards[0]], "the edited project's cards are kept again"


def test_the_keys_of_pages_are_written_when_a_page_reads_other_content(demo, tmp_path):
    before = stamps(demo / ".yunzhao-cache")
    # Another sector: the project's page now reads that sector's name.
    edit(demo, "projects/2024.yaml", "sector: new-materials\n    park: xipeng\n    investment: 5亿元",
         "sector: software-it\n    park: xipeng\n    investment: 5亿元")
    build(demo)
    assert incremental.PAGES in touched(before, stamps(demo / ".yunzhao-cache"))
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_a_record_and_pages_file_of_different_builds_make_a_whole_build(demo, tmp_path):
    earlier = (demo / PAGES).read_bytes()
    edit(demo, "projects/2024.yaml", "sector: new-materials\n    park: xipeng\n    investment: 5亿元",
         "sector: software-it\n    park: xipeng\n    investment: 5亿元")
    build(demo)
    # As if the build had been killed between writing the keys of pages and the record.
    (demo / PAGES).write_bytes(earlier)
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    result = build(demo)
    assert "every page rendered: the record of the last build is unreadable" in result.stdout
    assert site_digest(demo / "output") == clean_build(demo, tmp_path / "clean")


def test_a_planted_pages_file_is_refused_without_running_it(demo):
    marker = demo / "planted-code-ran"
    (demo / PAGES).write_bytes(pickle.dumps(_Planted(marker)))
    edit(demo, "projects/2024.yaml", "status: under-construction", "status: signed")
    result = build(demo)
    assert "every page rendered: the record of the last build is unreadable" in result.stdout
    assert not marker.exists()


def test_a_build_reads_the_fragments_of_the_folders_it_renders_and_copies_the_others(tmp_path):
    # One project's card on two lists (the catalogue's folder and a park's): one file, two parts.
    catalogue = ("card", "zh", "zh/projects", ("project", "p1"))
    park = ("card", "zh", "zh/parks/xipeng", ("project", "p1"))
    assert incremental.shard_of(catalogue) == incremental.shard_of(park)
    values = {"project:p1": "v1", "park:xipeng": "x1"}
    first = incremental.Fragments(tmp_path, "settings")
    first.save(values, incremental.pack({catalogue: ("<li>p1</li>", ("project:p1",), ()),
                                         park: ("<li>p1 in Xipeng</li>", ("project:p1", "park:xipeng"), ())},
                                        values))
    path = tmp_path / SHARDS / f"{incremental.shard_of(park):02d}.pickle"

    def parts() -> dict[str, bytes]:
        with open(path, "rb") as f:
            return _Builtins(f).load()[-1]
    before = parts()
    assert set(before) == {"zh/projects", "zh/parks/xipeng"}

    # The park changed, and only the catalogue is rendered: the park's part is neither read nor
    # made again, and goes back into the file as it was, with the values it was made with.
    changed = {**values, "park:xipeng": "x2"}
    second = incremental.Fragments(tmp_path, "settings")
    assert second.load(changed, {"zh/projects"}) == {catalogue: ("<li>p1</li>", ("project:p1",), ())}
    second.save(changed, incremental.pack({catalogue: ("<li>p1!</li>", ("project:p1",), ())}, changed))
    after = parts()
    assert after["zh/parks/xipeng"] == before["zh/parks/xipeng"] and after["zh/projects"] != before["zh/projects"]
    # Read later, the park's part is checked against those values: its card is stale.
    assert incremental.Fragments(tmp_path, "settings").load(changed, {"zh/parks/xipeng"}) == {}
    assert incremental.Fragments(tmp_path, "settings").load(values, {"zh/parks/xipeng"}) == \
        {park: ("<li>p1 in Xipeng</li>", ("project:p1", "park:xipeng"), ())}
    # A damaged part counts as empty, and is made again by the build that reads it.
    with open(path, "rb") as f:
        header = _Builtins(f).load()
    header = header[:-1] + ({**after, "zh/parks/xipeng": b"not a pickle"},)
    path.write_bytes(pickle.dumps(header))
    broken = incremental.Fragments(tmp_path, "settings")
    assert broken.load(values, {"zh/parks/xipeng", "zh/projects"}) == \
        {catalogue: ("<li>p1!</li>", ("project:p1",), ())}
    broken.save(values, incremental.pack({park: ("<li>p1 in Xipeng</li>", ("project:p1", "park:xipeng"), ())},
                                         values))
    assert incremental.Fragments(tmp_path, "settings").load(values, {"zh/parks/xipeng"}) == \
        {park: ("<li>p1 in Xipeng</li>", ("project:p1", "park:xipeng"), ())}


def test_fragments_packed_by_each_process_are_kept_together(tmp_path):
    # Two workers made parts of the same folder (a language's home and 404 page): both are kept,
    # and a fragment that read a key without a value is not.
    home = ("card", "zh", "zh", ("project", "p1"))
    other = ("facts", "zh", "zh", ("project", "p1"))      # the same item: the same file
    unvalued = ("card", "zh", "zh", ("project", "p3"))
    assert incremental.shard_of(home) == incremental.shard_of(other)
    values = {"project:p1": "v1", "project:p2": "v2"}
    one = incremental.pack({home: ("<li>p1</li>", ("project:p1",), ())}, values)
    two = incremental.pack({other: ("<li>p2</li>", ("project:p2",), ()),
                            unvalued: ("<li>p3</li>", ("project:p3",), ())}, values)
    assert incremental.pack({unvalued: ("<li>p3</li>", ("project:p3",), ())}, values) == {}
    packs = {}
    for made in (one, two):
        for where, found in made.items():
            packs.setdefault(where, []).extend(found)
    incremental.Fragments(tmp_path, "settings").save(values, packs)
    assert incremental.Fragments(tmp_path, "settings").load(values, {"zh"}) == \
        {home: ("<li>p1</li>", ("project:p1",), ()), other: ("<li>p2</li>", ("project:p2",), ())}
