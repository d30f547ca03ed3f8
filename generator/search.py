"""Search: a static full-text index per language, built at build time, read by search.js.

Why our own index and not Pagefind: see docs/search.md (measured on the demo and on a
10,000-project site). In short: Chinese is segmented with jieba taught the site's own words
(sector and park names), so "新材料" is one term; every Chinese key is kept in Simplified
characters, so a query typed in Traditional (Taiwan or Hong Kong phrasing) or Simplified finds
the zh-Hant pages; English words go through a small stemmer shared with search.js. How text is
cut into terms: search_text.py.

The index of one language is a set of files in `<lang>/search/`, each named by the hash of its
bytes (WeChat caches hard, and an old page must never read a newer index; an edit renames only
the files it changes):

    meta.<hash>.json             shard boundaries, the names of every file below, labels, the
                                 Traditional→Simplified map (the search page names this file)
    t/<hash>.json                terms in sorted order, cut into shards of about 16 KB:
                                 {"term": [doc, weight, doc-delta, weight, ...], ...}
    d/<hash>.json                what a result shows, CHUNK documents per file
    f/<facet>/<id>.<hash>.json   the documents of one filter value (doc deltas)

A query downloads meta.json, the shards its terms fall in and the chunks of the results it
shows: a few tens of KB even for 10,000 projects. A whole build is linear in the amount of text
(plus one sort of the vocabulary); with a cache folder, the next build makes again only the
documents whose content changed and patches the entries of the terms they touch
(search_state.py), giving the same bytes.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import re
import zlib
from bisect import bisect_left
from collections import _count_elements   # Counter.update's C loop, without its checks per call
from collections import defaultdict, deque
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from json.encoder import encode_basestring
from operator import add, itemgetter, sub
from pathlib import Path

from . import search_state
from . import model as m
from .search_text import Segmenter, TermCache, convert_char, simplify_char, site_words, text_key, text_terms

# Term shards: about SHARD_BYTES on average, between SHARD_MIN and SHARD_MAX (one very common
# term may exceed that on its own). Where a shard ends is decided by the terms themselves (see
# `_shard_starts`), so that an edit moves no boundary but the ones next to what it changed.
SHARD_BYTES = 16_000
SHARD_MIN = SHARD_BYTES // 2
SHARD_MAX = SHARD_BYTES * 2
CHUNK = 20               # documents per display chunk
SUMMARY_CHARS = 120

# How much a term counts, by the field it occurs in (the best field wins; repeats add a little).
WEIGHTS = {"title": 10, "sector": 6, "park": 6, "industries": 5, "summary": 3, "highlights": 3,
           "level": 3, "status": 2, "cooperation": 2, "location": 2, "transport": 1, "text": 1}

MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|https?://\S+")


def plain(markdown: str) -> str:
    """Markdown source → its words (link targets, images and tags dropped)."""
    return MARKDOWN_NOISE.sub(" ", markdown or "")


# Documents ------------------------------------------------------------------------------------

@dataclass
class Doc:
    kind: str                                 # project | park | page
    record: dict                              # what a result shows (see search.js)
    fields: list[tuple[str, str]] = field(default_factory=list)   # (weight name, text)
    filters: dict[str, str] = field(default_factory=dict)         # facet → value id


def _texts(lv, value, as_list=False) -> list[str]:
    """The text a reader of this language sees, plus the Simplified source where the Traditional
    was derived from it (so a query typed either way finds the zh-Hant page)."""
    if not value:
        return []
    found = lv.l10n.pick(value, lv.lang)[0]     # what l10n.text(s) shows, without wrapping it
    out = [str.__str__(s) for s in ((found or ()) if as_list else (found,)) if s]
    if lv.lang == "zh-Hant" and "zh-Hant" not in value and "zh" in value:
        source = value["zh"]
        out.extend(source if isinstance(source, list) else [source])
    return out


def _shown(s) -> tuple[str, str | None]:
    """(text, its language if it is a fallback)."""
    return str.__str__(s), (s.lang if getattr(s, "fallback", False) else None)


def _local(url: str, lv) -> str:
    """A site-root path made relative to the language's folder (search.js resolves it)."""
    prefix = lv.language.folder + "/"
    return url[len(prefix):] if url.startswith(prefix) else url


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def doc_items(lv) -> list[tuple[str, object]]:
    """(kind, model item) of every document of one language, in index order: projects grouped
    by sector, then park (so the results of one query share chunks), parks, pages."""
    sector_ids, park_ids = _positions(lv)
    groups: dict[tuple[int, int], list] = {}       # buckets, not a sort: linear in the projects
    for p in lv.model.projects:
        groups.setdefault((sector_ids[p.sector.id], park_ids[p.park.id] if p.park else -1), []).append(p)
    items = [("project", p) for key in sorted(groups) for p in groups[key]]
    items += [("park", p) for p in lv.model.parks]
    items += [("page", page.model) for page in lv.menu_pages]
    items += [("page", p) for p in lv.model.pages if p.menu is None]
    return items


def _positions(lv) -> tuple[dict[str, int], dict[str, int]]:
    """Sector id → its number, park id → its number (a result names them by number)."""
    return ({s.id: i for i, s in enumerate(lv.model.sectors)}, {p.id: i for i, p in enumerate(lv.model.parks)})


def collect_docs(lv, items: list[tuple[str, object]] | None = None) -> list[Doc]:
    """The documents of one language: of `items` (from doc_items), or of every item."""
    positions = _positions(lv)
    return [MAKE_DOC[kind](lv, item, *positions) for kind, item in (doc_items(lv) if items is None else items)]


def project_doc(lv, model: m.Project, sector_ids: dict, park_ids: dict) -> Doc:
    p = lv.project(model)
    title, title_lang = _shown(p.title)
    record = {"u": _local(p.url, lv), "t": title, "s": _summary(str.__str__(p.summary)),
              "f": p.investment, "c": sector_ids[model.sector.id], "x": m.STATUSES.index(model.status)}
    if title_lang:
        record["l"] = title_lang
    if model.park:
        record["r"] = park_ids[model.park.id]
    doc = Doc("project", record, filters=project_filters(model))
    doc.fields += [("title", t) for t in _texts(lv, model.title)]
    doc.fields += [("sector", t) for t in _texts(lv, model.sector.name)]
    if model.park:
        doc.fields += [("park", t) for t in _texts(lv, model.park.title)]
    doc.fields += [("summary", t) for t in _texts(lv, model.summary)]
    doc.fields += [("highlights", t) for t in _texts(lv, model.highlights, as_list=True)]
    doc.fields += [("location", t) for t in _texts(lv, model.location)]
    doc.fields += [("text", plain(t)) for t in _texts(lv, model.description)]
    doc.fields.append(("status", p.status_label))
    doc.fields += [("cooperation", c) for c in p.cooperation]
    return doc


def project_filters(model: m.Project) -> dict[str, str]:
    filters = {"sector": model.sector.id, "status": model.status}
    if model.park:
        filters["park"] = model.park.id
    return filters


def park_doc(lv, model: m.Park, sector_ids: dict, park_ids: dict) -> Doc:
    park = lv.park(model)
    title, title_lang = _shown(park.title)
    record = {"u": _local(park.url, lv), "t": title, "s": _summary(str.__str__(park.summary)),
              "f": park.area or "", "m": str.__str__(park.level)}
    if title_lang:
        record["l"] = title_lang
    doc = Doc("park", record)
    doc.fields += [("title", t) for t in _texts(lv, model.title)]
    doc.fields += [("industries", t) for s in model.industries for t in _texts(lv, s.name)]
    doc.fields += [("summary", t) for t in _texts(lv, model.summary)]
    doc.fields += [("level", t) for t in _texts(lv, model.level)]
    doc.fields += [("location", t) for t in _texts(lv, model.location)]
    doc.fields += [("transport", t) for t in _texts(lv, model.transport, as_list=True)]
    doc.fields += [("text", plain(t)) for t in _texts(lv, model.body)]
    return doc


def page_doc(lv, model: m.Page, sector_ids: dict, park_ids: dict) -> Doc:
    page = lv.page(model)
    title, title_lang = _shown(page.title)
    body = plain(str.__str__(lv.l10n.text(model.body, lv.lang)))
    record = {"u": _local(page.url, lv), "t": title, "s": _summary(re.sub(r"[#*_|>`-]+", " ", body))}
    if title_lang:
        record["l"] = title_lang
    doc = Doc("page", record)
    doc.fields += [("title", t) for t in _texts(lv, model.title)]
    doc.fields += [("text", plain(t)) for t in _texts(lv, model.body)]
    return doc


MAKE_DOC = {"project": project_doc, "park": park_doc, "page": page_doc}


# The index ------------------------------------------------------------------------------------

@dataclass
class SearchIndex:
    lang: str
    folder: str                      # site-root path of the index's folder, ends with "/"
    files: dict[str, bytes]          # path relative to output/ → bytes
    meta: str                        # site-root path of meta.<hash>.json (the search page names it)


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _deltas(ids: list[int]) -> list[int]:
    return [b - a for a, b in zip([0] + ids, ids)]


_weight = itemgetter(0)
_consume = deque(maxlen=0).extend            # runs an iterator to its end, in C
# Occurrences of a term in one document → what they add to its weight: repeats, up to three.
REPEATS = {1: 0, 2: 1, 3: 2}
MAX_REPEATS = 3
KINDS = ("project", "park", "page")


def utf16_key(term: str) -> bytes:
    # search.js compares strings by UTF-16 code units; sort the same way so its binary search
    # over shard boundaries agrees with ours for every character.
    return term.encode("utf-16-be")


def doc_scores(fields: list[tuple[int, tuple[str, ...]]]) -> tuple[dict[str, int], "map"]:
    """(weight, terms) of each field of a document → its distinct terms (a dict, in the order
    met) and their scores: a term weighs what its best field gives, plus one per repeat anywhere
    in the document, up to three."""
    fields = sorted(fields, key=_weight)
    best: dict[str, int] = {}
    for weight, found in fields:      # lightest first: the heaviest field's weight stays
        best.update(dict.fromkeys(found, weight))
    # Both dicts meet the terms in the same order: their values line up without look-ups.
    counts: dict[str, int] = {}
    _count_elements(counts, chain.from_iterable([found for _, found in fields]))
    return counts, map(add, best.values(), map(REPEATS.get, counts.values(), repeat(MAX_REPEATS)))


def postings_of(docs: list[Doc], terms: dict[str, tuple]) -> dict[str, list[int]]:
    """term → [doc, score, doc, score, ...] in doc order. Millions of (term, doc) pairs: the
    loops over them are C's (map, zip, dict.update), not Python's."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    posting = postings.__getitem__
    for number, doc in enumerate(docs):
        found, scores = doc_scores([(WEIGHTS[name], terms[text][0]) for name, text in doc.fields])
        _consume(map(list.extend, map(posting, found), zip(repeat(number), scores)))
    return postings


@functools.lru_cache(maxsize=4)
def _numerals(count: int):
    return [str(n) for n in range(count)].__getitem__


def _numeral(docs: int):
    return _numerals(max(docs, max(WEIGHTS.values()) + MAX_REPEATS + 1))


def term_entries(postings: dict[str, list[int]], docs: int) -> dict[str, bytes]:
    """term → what a shard holds for it (see `encode_entry`)."""
    numeral = _numeral(docs)
    return {term: encode_entry(term, flat, numeral) for term, flat in postings.items()}


def encode_entry(term: str, flat: list[int], numeral) -> bytes:
    """`"term":[doc,score,delta,score,...]` from [doc, score, doc, score, ...] (which it turns
    into deltas): what _dump would give, written directly (tens of thousands of terms, millions
    of numbers)."""
    flat[2::2] = map(sub, flat[2::2], flat[:-2:2])
    return f'{encode_basestring(term)}:[{",".join(map(numeral, flat))}]'.encode()


def decode_entry(entry: bytes) -> list[int]:
    """An entry → [doc, score, doc, score, ...] with whole doc numbers. (A term is a run of
    letters or of Chinese characters: it holds no colon.)"""
    flat = list(map(int, entry[entry.index(b":[") + 2: -1].split(b",")))
    flat[::2] = accumulate(flat[::2])
    return flat


@dataclass
class Parts:
    """What the files of one language's index are made of."""
    entries: dict[str, bytes]        # term → its entry (see term_entries)
    terms: list[str]                 # the terms in UTF-16 order
    chunks: list[bytes]              # what results show, CHUNK documents each (d/<hash>.json)
    filters: list[dict[str, str]]    # per document: facet → value id
    kinds: list[int]                 # how many projects, parks, pages (in that order)
    traditional: set[str]            # characters of the indexed texts that `simplify` changes
    t2s: tuple[str, str] = ("", "")  # (digest of what the t2s table was made from, the table)


def parts_of(docs: list[Doc], terms: dict[str, tuple]) -> Parts:
    """The parts of an index, from every document and the (terms, Traditional characters) of
    every text in them."""
    entries = term_entries(postings_of(docs, terms), len(docs))
    records = [d.record for d in docs]
    return Parts(entries, sorted(entries, key=utf16_key),
                 [_dump(records[start: start + CHUNK]) for start in range(0, len(docs), CHUNK)],
                 [d.filters for d in docs], [sum(1 for d in docs if d.kind == k) for k in KINDS],
                 {c for text in dict.fromkeys(text for doc in docs for _, text in doc.fields)
                  for c in terms[text][1]})


HASH_CHARS = 10      # of a file's name: sha256 of its bytes, in hex


def _shard_starts(terms: list[str], entries: list[bytes]) -> list[int]:
    """Where each shard starts. Past SHARD_MIN bytes, a shard ends before a term whose hash says
    so, with a chance that grows with the term's entry (so shards average SHARD_BYTES whatever
    the entries weigh); it always ends before SHARD_MAX. A boundary thus depends on the entries
    since the last one, not on everything before: an edit that changes a few entries changes
    the shards that hold them (and rarely a neighbour), where filling shards to a size one after
    another would move every boundary after the edit, and so rename hundreds of files. An entry
    of SHARD_MIN or more (a word in most documents) is a shard of its own."""
    starts, size, big = [], 0, False
    target = SHARD_BYTES - SHARD_MIN
    for i, (term, entry) in enumerate(zip(terms, entries)):
        was_big, big = big, len(entry) >= SHARD_MIN          # a very common term: a shard of its own
        if not starts or big or was_big or size + len(entry) > SHARD_MAX or \
                (size >= SHARD_MIN and zlib.crc32(term.encode()) * target < len(entry) << 32):
            starts.append(i)
            size = 0
        size += len(entry) + 1
    return starts


def _named(files: dict[str, bytes], folder: str, prefix: str, data: bytes) -> str:
    """Add a file named by its content (`<prefix><hash>.json`); returns the hash. Shards and
    chunks are named by their hash alone, not by their place: a shard that comes or goes must
    not rename every shard after it."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    files[f"{folder}{prefix}{digest}.json"] = data
    return digest


def write_index(lv, parts: Parts) -> SearchIndex:
    """The files of one language's index, each named by the hash of its bytes and listed in
    meta.json, itself named by its hash: an edit changes only the files whose bytes change, and
    a page that names a meta.json (kept for days in WeChat's cache) only ever reads the files
    that were written with it."""
    folder = f"{lv.language.folder}/search/"
    files: dict[str, bytes] = {}
    names: dict = {"t": [], "d": [], "f": {}}

    # Terms in sorted order, cut into shards; `keys` holds the first term of each.
    entries = [parts.entries[term] for term in parts.terms]
    starts = _shard_starts(parts.terms, entries)
    keys = [parts.terms[i] for i in starts]
    sizes = []
    for start, end in zip(starts, starts[1:] + [len(entries)]):
        data = b"{" + b",".join(entries[start:end]) + b"}"
        names["t"].append(_named(files, folder, "t/", data))
        sizes.append(len(data))

    names["d"] = [_named(files, folder, "d/", chunk) for chunk in parts.chunks]

    facets: dict[tuple[str, str], list[int]] = {}
    for key in [("sector", s.id) for s in lv.model.sectors] + [("park", p.id) for p in lv.model.parks] + \
            [("status", s) for s in m.STATUSES]:
        facets[key] = []
    for number, filters in enumerate(parts.filters):
        for facet, value in filters.items():
            facets[(facet, value)].append(number)
    for (facet, value), ids in facets.items():
        names["f"].setdefault(facet, {})[value] = _named(files, folder, f"f/{facet}/{value}.", _dump(_deltas(ids)))

    meta = {
        "version": 2, "docs": len(parts.filters), "chunk": CHUNK, "kinds": parts.kinds,
        "keys": keys, "sizes": sizes, "files": names,
        "sectors": [s.name.text for s in lv.sectors],
        "parks": [str.__str__(p.title) for p in lv.parks],
        "status": [[s, lv.label("status", s)] for s in m.STATUSES],
        "t2s": _t2s_of(parts),
    }
    digest = _named(files, folder, "meta.", _dump(meta))
    return SearchIndex(lv.lang, folder, files, f"{folder}meta.{digest}.json")


def _t2s_of(parts: Parts) -> str:
    """The t2s table, made again only if what it is made of changed (it needs OpenCC)."""
    used = "".join(sorted(c for c in set("".join(parts.terms)) if c >= "\u3400"))
    made_of = hashlib.sha256(f"{used}\0{''.join(sorted(parts.traditional))}".encode()).hexdigest()
    if parts.t2s[0] != made_of:
        parts.t2s = (made_of, _t2s_table(parts.terms, parts.traditional))
    return parts.t2s[1]


def _t2s_table(keys, traditional: set[str]) -> str:
    """Traditional characters a reader may type → the Simplified ones the keys use, as one string
    of pairs. Only characters whose Simplified form occurs in this index's keys are listed:
    any other character cannot match anyway. `traditional`: the characters of the indexed texts
    that `simplify` changes."""
    used = {c for c in set("".join(keys)) if c >= "\u3400"}
    pairs = {}
    for config in ("s2t", "s2tw", "s2hk"):
        for char in sorted(used):
            trad = convert_char(config, char)
            if len(trad) == 1 and trad != char and simplify_char(trad) in used:
                pairs[trad] = simplify_char(trad)
    # Characters that only phrases produce (软件 → 軟體) are not in a one-character conversion:
    # take them from the texts themselves.
    for char in traditional - used - pairs.keys():
        simple = simplify_char(char)
        if simple in used:
            pairs[char] = simple
    return "".join(t + s for t, s in sorted(pairs.items()))


def build_indexes(site: m.Site, views: dict, cache_dir: Path | None = None, workers: int | None = None,
                  values: dict[str, str] | None = None) -> dict[str, SearchIndex]:
    """One index per language of the site.

    With `cache_dir` (`<site>/.yunzhao-cache/`), what this build made is kept there, and the next
    build rebuilds only the documents whose content changed (search_state.py); `values` are the
    content fingerprints of deps.key_values if the caller has them already. `workers` processes
    cut new texts (default: one per core)."""
    # Millions of small objects, none of them in a cycle: a collection would walk them for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        segmenter = Segmenter(site_words(site))
        if cache_dir is None:
            docs = {lang: collect_docs(views[lang]) for lang in site.languages}
            terms, _ = text_terms(_texts_of(docs), segmenter, None, workers)
            return {lang: write_index(views[lang], parts_of(docs[lang], terms)) for lang in site.languages}
        return _build_kept(site, views, Path(cache_dir), workers, values, segmenter)
    finally:
        if collecting:
            gc.enable()


def _texts_of(docs: dict[str, list[Doc]]):
    return (text for found in docs.values() for doc in found for _, text in doc.fields)


# Builds that keep what they made ----------------------------------------------------------------

FIELDS = tuple(WEIGHTS)                       # a field's number in the record
FIELD_NUMBERS = {name: n for n, name in enumerate(FIELDS)}
KEY_BYTES = 20                                # search_text.text_key: sha1
EXTRA_LIMIT = 5_000                           # texts cut by patching builds before a whole build
PATCH_LIMIT = 4                               # more than 1/4 of the documents changed: build whole


class Whole(Exception):
    """The last build's record cannot be patched: build the index whole."""


@dataclass
class Plan:
    """One language's documents as this build's content has them, before any is made."""
    items: list[tuple[str, object]]           # (kind, model item)
    names: list[str]                          # "kind:id"
    inputs: list[str]                         # fingerprints of what each is made of
    filters: list[dict[str, str]]             # facet → value id, of each
    config: str                               # what all of them depend on besides


def _build_kept(site, views, cache_dir: Path, workers, values, segmenter) -> dict[str, SearchIndex]:
    if values is None:
        values = search_state.item_values(site)
    plans = {}
    park_titles = search_state.park_titles(site)
    known: dict[str, tuple[str, dict]] = {}       # the same in every language: made once
    for lang in site.languages:
        items = doc_items(views[lang])
        names = [f"{kind}:{item.id}" for kind, item in items]
        for name, (kind, item) in zip(names, items):
            if name not in known:
                known[name] = (search_state.doc_inputs(kind, item, values, park_titles),
                               project_filters(item) if kind == "project" else {})
        inputs, filters = zip(*map(known.__getitem__, names)) if names else ((), ())
        plans[lang] = Plan(items, names, list(inputs), list(filters),
                           search_state.lang_config(views[lang], segmenter.config))
    previous = search_state.load(cache_dir, segmenter.config)
    # Every language patched, or every language whole: the term cache then always holds the
    # texts of every language's record.
    if all(lang in previous and previous[lang]["config"] == plans[lang].config
           and previous[lang]["items"] == plans[lang].names for lang in site.languages) \
            and sum(len(previous[lang]["extra"]) for lang in site.languages) < EXTRA_LIMIT:
        cache = TermCache(cache_dir, segmenter.config)
        try:
            patched = {lang: _patch(views[lang], plans[lang], previous[lang], segmenter, cache)
                       for lang in site.languages}
        except (Whole, LookupError, ValueError, TypeError):
            pass           # a record that does not hold together (damaged, planted): build whole
        else:
            search_state.save(cache_dir, segmenter.config, {lang: record for lang, (_, record) in patched.items()})
            return {lang: index for lang, (index, _) in patched.items()}
    search_state.forget(cache_dir)
    cut_before = {key: terms for lang in previous for key, terms in previous[lang]["extra"].items()}
    docs = {lang: collect_docs(views[lang], plans[lang].items) for lang in site.languages}
    try:
        terms, keys = text_terms(_texts_of(docs), segmenter, cache_dir, workers, cut_before)
        parts = {lang: parts_of(docs[lang], terms) for lang in site.languages}
    except (LookupError, ValueError, TypeError):
        # A term cache that is readable but does not hold what it should (planted, or written
        # by a broken build): cut everything again, and keep that instead.
        TermCache.clear(cache_dir)
        terms, keys = text_terms(_texts_of(docs), segmenter, cache_dir, workers)
        parts = {lang: parts_of(docs[lang], terms) for lang in site.languages}
    built = {lang: write_index(views[lang], parts[lang]) for lang in site.languages}
    search_state.save(cache_dir, segmenter.config,
                      {lang: _record(plans[lang], docs[lang], parts[lang], terms, keys) for lang in site.languages})
    return built


def _record(plan: Plan, docs: list[Doc], parts: Parts, terms: dict, keys: dict) -> dict:
    traditional: dict[str, int] = {}
    for doc in docs:
        _count_elements(traditional, set(chain.from_iterable([terms[text][1] for _, text in doc.fields])))
    return {"config": plan.config, "items": plan.names, "inputs": plan.inputs,
            "fields": [b"".join([bytes((FIELD_NUMBERS[name],)) + keys[text] for name, text in doc.fields])
                       for doc in docs],
            "chunks": parts.chunks, "terms": parts.terms, "entries": [parts.entries[t] for t in parts.terms],
            "traditional": traditional, "t2s": parts.t2s, "extra": {}}


def _fields(packed: bytes) -> list[tuple[int, bytes]]:
    step = KEY_BYTES + 1
    return [(packed[i], packed[i + 1: i + step]) for i in range(0, len(packed), step)]


def _patch(lv, plan: Plan, record: dict, segmenter: Segmenter, cached: TermCache) -> tuple[SearchIndex, dict]:
    """The index of one language from the last build's record: the documents whose inputs
    changed are made again, and the entries of the terms they changed are patched. Linear in
    the size of what changed, plus one pass over the terms to write the shards."""
    docs_count = len(plan.items)
    if not (len(record["inputs"]) == len(record["fields"]) == docs_count
            and len(record["chunks"]) == -(-docs_count // CHUNK) and len(record["terms"]) == len(record["entries"])):
        raise Whole("the record does not hold together")
    changed = [i for i, (old, new) in enumerate(zip(record["inputs"], plan.inputs)) if old != new]
    if len(changed) * PATCH_LIMIT > docs_count:
        raise Whole("too much changed: a whole build is quicker")
    extra = dict(record["extra"])

    def terms_of(key: bytes) -> tuple:
        found = cached.get(key) or extra.get(key)
        if found is None:
            raise Whole("the terms of a text of the last build are not kept")
        return found

    docs = collect_docs(lv, [plan.items[i] for i in changed])
    texts = list(dict.fromkeys(text for doc in docs for _, text in doc.fields))
    keys = dict(zip(texts, map(text_key, texts)))
    for text, key in keys.items():
        if key not in extra and cached.get(key) is None:
            extra[key] = segmenter.cut(text)

    fields, chunks, traditional = list(record["fields"]), list(record["chunks"]), dict(record["traditional"])
    changes: dict[str, dict[int, int | None]] = {}
    chunk_changes: dict[int, dict[int, dict]] = {}
    for i, doc in zip(changed, docs):
        old = [(WEIGHTS[FIELDS[n]], terms_of(key)) for n, key in _fields(fields[i])]
        new = [(WEIGHTS[name], terms_of(keys[text])) for name, text in doc.fields]
        old_scores = dict(zip(*doc_scores([(w, found[0]) for w, found in old])))
        new_scores = dict(zip(*doc_scores([(w, found[0]) for w, found in new])))
        for term in old_scores.keys() | new_scores.keys():
            if old_scores.get(term) != new_scores.get(term):
                changes.setdefault(term, {})[i] = new_scores.get(term)
        for char in set(chain.from_iterable([found[1] for _, found in old])):
            traditional[char] -= 1
            if not traditional[char]:
                del traditional[char]
        _count_elements(traditional, set(chain.from_iterable([found[1] for _, found in new])))
        fields[i] = b"".join([bytes((FIELD_NUMBERS[name],)) + keys[text] for name, text in doc.fields])
        chunk_changes.setdefault(i // CHUNK, {})[i % CHUNK] = doc.record
    for n, records in chunk_changes.items():
        shown = json.loads(chunks[n])
        for at, shown_record in records.items():
            shown[at] = shown_record
        chunks[n] = _dump(shown)

    entries = dict(zip(record["terms"], record["entries"]))
    numeral = _numeral(len(plan.items))
    for term, by_doc in changes.items():
        flat = _patch_posting(decode_entry(entries[term]) if term in entries else [], by_doc)
        if flat:
            entries[term] = encode_entry(term, flat, numeral)
        else:
            del entries[term]
    terms = record["terms"]
    if len(entries) != len(terms) or not all(map(entries.__contains__, changes)):
        terms = sorted(entries, key=utf16_key)    # (a term came or went: sorted again)

    kinds = [sum(1 for k, _ in plan.items if k == kind) for kind in KINDS]
    parts = Parts(entries, terms, chunks, plan.filters, kinds, set(traditional), record["t2s"])
    index = write_index(lv, parts)
    return index, {"config": plan.config, "items": plan.names, "inputs": plan.inputs, "fields": fields,
                   "chunks": chunks, "terms": terms, "entries": [entries[t] for t in terms],
                   "traditional": traditional, "t2s": parts.t2s,
                   "extra": extra}


def _patch_posting(flat: list[int], by_doc: dict[int, int | None]) -> list[int]:
    """[doc, score, ...] with the given documents' scores set (None: the document left)."""
    docs = flat[::2]
    if len(by_doc) == 1:
        [(doc, score)] = by_doc.items()
        at = bisect_left(docs, doc)
        if at < len(docs) and docs[at] == doc:
            if score is None:
                del flat[2 * at: 2 * at + 2]
            else:
                flat[2 * at + 1] = score
        elif score is not None:
            flat[2 * at: 2 * at] = [doc, score]
        return flat
    pairs = {doc: score for doc, score in zip(docs, flat[1::2]) if doc not in by_doc}
    pairs.update((doc, score) for doc, score in by_doc.items() if score is not None)
    return [n for doc in sorted(pairs) for n in (doc, pairs[doc])]
