"""What one build of the search index keeps for the next: `.yunzhao-cache/search-index.pickle`.

A build after an edit must give the index a build from nothing gives, byte for byte, and fast.
So the record holds, per language, what the last index was made of — for each document, the
fingerprint of the content it was made from (`inputs`) and which texts it held (`fields`); the
entry of every term; the display chunks — and a build rebuilds only the documents whose content
changed, then patches the entries of the terms those documents gain, lose or weigh differently
(see search._patch). Anything that would make a document differently without changing its
own content — the code, the theme's strings, site.yaml, the order of sectors and parks, how
text is cut — is in the language's `config`: if it differs, or documents were added, removed or
reordered, the index is built whole (from the term cache).

Fingerprints are deps.key_values', the ones incremental builds compare: an item's own fields,
and the items it refers to by id. A document reads its item; a project's also its sector and its
park's title, a park's its industries' sectors: those are its inputs.

The file holds strings, bytes, lists, tuples, dicts and numbers only, and is read with an
unpickler that refuses everything else: a planted file cannot run code. A missing, unreadable
or foreign file means a whole build, never an error.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from . import deps
from . import model as m
from .content.file_cache import code_stamp

STATE_FILE = "search-index.pickle"
STATE_FORMAT = 1

# The per-language record, as a plain dict (the unpickler builds no other class):
#   config       str                what every document of the language also depends on
#   items        list[str]          "kind:id" of each document, in index order
#   inputs       list[str]          per document: the fingerprints of the content it was made of
#   fields       list[bytes]        per document: (field number, 20-byte text key) of each text
#   chunks       list[bytes]        the display chunks (d/<hash>.json), in order
#   terms        list[str]          every term, in UTF-16 order
#   entries      list[bytes]        the entry of each term (same order)
#   traditional  dict[str, int]     Traditional character → how many documents' texts hold it
#   t2s          tuple[str, str]    (the inputs of the last t2s table, digested; the table)
#   extra        dict[bytes, tuple] terms of texts cut by patching builds (not in the term cache)
LANG_KEYS = {"config": str, "items": list, "inputs": list, "fields": list, "chunks": list, "terms": list,
             "entries": list, "traditional": dict, "t2s": tuple, "extra": dict}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a search record")


def load(cache_dir: Path, config: str) -> dict[str, dict]:
    """lang → its record from the last build, if made under the same text-cutting `config`."""
    try:
        with open(cache_dir / STATE_FILE, "rb") as f:
            fmt, their_config, langs = _PlainUnpickler(f).load()
    except Exception:
        return {}
    if fmt != STATE_FORMAT or their_config != config or type(langs) is not dict:
        return {}
    return {lang: record for lang, record in langs.items() if _well_formed(record)}


def _well_formed(record) -> bool:
    """The record's parts have the types they should (what they hold is checked where used:
    a record that does not hold together means a whole build)."""
    return type(record) is dict and all(type(record.get(key)) is kind for key, kind in LANG_KEYS.items()) \
        and all(type(key) is bytes and type(found) is tuple and len(found) == 2 and type(found[0]) is tuple
                and type(found[1]) is str and all(type(term) is str for term in found[0])
                for key, found in record["extra"].items())


def save(cache_dir: Path, config: str, langs: dict[str, dict]) -> None:
    path = cache_dir / STATE_FILE
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")     # two builds at once: two files
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            pickle.dump((STATE_FORMAT, config, langs), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)       # a read-only site folder only loses fast rebuilds


def forget(cache_dir: Path) -> None:
    """Drop the record (a build that fails half-way must not leave one that no longer holds)."""
    try:
        (cache_dir / STATE_FILE).unlink(missing_ok=True)
    except OSError:
        pass


# Fingerprints ----------------------------------------------------------------------------------

def lang_config(lv, cutting: str) -> str:
    """What every document of a language depends on besides its own content: the code and how
    text is cut, the language and the theme's strings for it, site.yaml, and the order of sectors
    and parks (results name them by number)."""
    site = lv.model
    return deps.fingerprint((code_stamp(), cutting, lv.lang, lv.strings, deps.site_fingerprint(site),
                             [s.id for s in site.sectors], [p.id for p in site.parks]))


def doc_inputs(kind: str, item, values: dict[str, str], park_titles: dict[str, str]) -> str:
    """The fingerprints of the content one document is made of: its item, and what it shows of
    the items it names (a project: its sector, its park's title; a park: its sectors)."""
    found = [values[f"{kind}:{item.id}"]]
    if kind == "project":
        found.append(values[f"sector:{item.sector.id}"])
        if item.park is not None:
            found.append(park_titles[item.park.id])
    elif kind == "park":
        found += [values[f"sector:{s.id}"] for s in item.industries]
    return " ".join(found)


def item_values(site: m.Site) -> dict[str, str]:
    """deps.key_values' fingerprints of the items documents are made of (and only those: the
    rest of key_values — staff, brochures, images, lists — would cost a third more here). The
    same function as key_values, so that what a build passes in gives the same record."""
    return {f"{kind}:{item.id}": deps.fingerprint(deps._own_fields(item))
            for kind, items in (("project", site.projects), ("park", site.parks), ("sector", site.sectors),
                                ("page", site.pages))
            for item in items}


def park_titles(site: m.Site) -> dict[str, str]:
    return {park.id: deps.fingerprint(park.title) for park in site.parks}
