"""Search: a static full-text index per language, built at build time, read by search.js.

Why our own index and not Pagefind: see docs/search.md (measured on the demo and on a
10,000-project site). In short: Chinese is segmented with jieba taught the site's own words
(sector and park names), so "新材料" is one term; every Chinese key is kept in Simplified
characters, so a query typed in Traditional (Taiwan or Hong Kong phrasing) or Simplified finds
the zh-Hant pages; English words go through a small stemmer shared with search.js.

The index of one language is a folder named by the hash of its content (WeChat caches hard,
and an old page must never read a newer index):

    <lang>/search/<hash>/meta.json     shard boundaries, labels, the Traditional→Simplified map
    <lang>/search/<hash>/t/<n>.json    terms in sorted order, cut into ~16 KB shards:
                                       {"term": [doc, weight, doc-delta, weight, ...], ...}
    <lang>/search/<hash>/d/<n>.json    what a result shows, CHUNK documents per file
    <lang>/search/<hash>/f/<facet>/<id>.json   the documents of one filter value (doc deltas)

A query downloads meta.json, the shards its terms fall in and the chunks of the results it
shows: a few tens of KB even for 10,000 projects. Building is linear in the amount of text
(plus one sort of the vocabulary). Cutting Chinese text into words is most of that work, so the
terms of every text are kept in `.yunzhao-cache/search-terms.pickle` between builds (a build
after an edit cuts only the new texts), and a build with many new texts cuts them on every core.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import unicodedata
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from itertools import chain, repeat
from json.encoder import encode_basestring
from operator import add, itemgetter, sub
from pathlib import Path

from . import model as m

SHARD_BYTES = 16_000     # target size of a term shard; one very common term may exceed it
CHUNK = 20               # documents per display chunk
SUMMARY_CHARS = 120

# How much a term counts, by the field it occurs in (the best field wins; repeats add a little).
WEIGHTS = {"title": 10, "sector": 6, "park": 6, "industries": 5, "summary": 3, "highlights": 3,
           "level": 3, "status": 2, "cooperation": 2, "location": 2, "transport": 1, "text": 1}

# Tokens. These expressions, the stop words and `stem` are mirrored exactly in search.js:
# a query must be cut the way the index was.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(f"([{CJK}]+)|([0-9a-z\u00c0-\u024f]+)")
EN_STOP = frozenset("a an and are as at be by for from has in is it its of on or that the this to "
                    "was were will with".split())
ZH_STOP = frozenset("的 了 和 与 及 或 在 是 为 等 对 将 已 由 以 于 其 并 也 而 之 个 年 月 日".split())

# British spellings the demo and bureaus use, mapped to one form so either spelling finds both.
SPELLING_WORDS = {"aluminium": "aluminum", "sulphur": "sulfur", "tyre": "tire", "programme": "program",
                  "storey": "story", "grey": "gray", "kerb": "curb", "cheque": "check"}
# Inflected forms are listed too: the endings are replaced before -ed/-ing are stripped.
SPELLING_ENDINGS = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"),
                    ("ysing", "yzing"), ("ysed", "yzed"), ("yse", "yze"), ("ogue", "og"),
                    ("tring", "tering"), ("tred", "tered"), ("tre", "ter"),
                    ("ouring", "oring"), ("oured", "ored"), ("our", "or"))


@functools.lru_cache(maxsize=None)
def stem(word: str) -> str:
    """A light English stemmer: plurals, -ed, -ing, final e, British spellings.

    Light on purpose: it must give the same answer here and in search.js, and an investor's
    query words ("factories", "processing", "aluminium") need no more than this.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    word = SPELLING_WORDS.get(word, word)
    for british, american in SPELLING_ENDINGS:
        if word.endswith(british) and len(word) >= len(british) + 3:
            word = word[: -len(british)] + american
            break
    if word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "ed"):
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 3 and any(c in "aeiouy" for c in base):
                word = base
                if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
                    word = word[:-1]
                break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=None)
def _opencc(config: str):
    import opencc  # lazily, as in i18n: only sites with Chinese pay for it
    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=None)
def simplify_char(char: str) -> str:
    """One character Traditional → Simplified, character by character (never by phrase), so
    search.js can do the same with a plain table shipped in meta.json."""
    out = _opencc("t2s").convert(char)
    return out if len(out) == 1 else char


@functools.lru_cache(maxsize=2)
def _jieba(words: tuple[str, ...]):
    # Kept between builds of one process (`yunzhao serve` rebuilds on every save).
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


_SIMPLIFIED: dict[int, str] = {}     # a str.translate table, filled as characters are met


def simplify(text: str) -> str:
    for char in set(text):
        if ord(char) not in _SIMPLIFIED:
            _SIMPLIFIED[ord(char)] = simplify_char(char) if char >= "\u3400" else char
    return text.translate(_SIMPLIFIED)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@functools.lru_cache(maxsize=None)
def _code_version() -> str:
    """The cutting rules (this file), jieba's dictionary and OpenCC's tables (their versions),
    Unicode's NFKC tables."""
    from importlib import metadata   # not `import jieba`: that alone takes 0.2 s
    try:
        versions = [metadata.version(name) for name in ("jieba", "opencc")]
    except metadata.PackageNotFoundError:
        versions = []
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr((versions, unicodedata.unidata_version)).encode())
    return digest.hexdigest()


class Segmenter:
    """Text → index terms. jieba learns the site's own words first, so that a title such as
    西彭新材料产业化项目 is cut 西彭 / 新材料 / 产业化 / 项目 and not 西 / 彭新 / 材料."""

    def __init__(self, words: list[str]):
        self.words = tuple(sorted(set(words)))
        self._cjk: dict[str, tuple[str, ...]] = {}
        self._text: dict[str, list[str]] = {}

    @functools.cached_property
    def config(self) -> str:
        """Everything that decides how a text is cut: the site's words and the code. Terms kept
        between builds are only valid under the same."""
        return hashlib.sha256("\n".join((_code_version(),) + self.words).encode()).hexdigest()

    @property
    def jieba(self):
        """jieba, loaded at the first Chinese text (its dictionary takes a second to load)."""
        return _jieba(self.words)

    def cjk_terms(self, run: str) -> tuple[str, ...]:
        found = self._cjk.get(run)
        if found is None:
            # Search mode also gives the words inside long words (产业化 → 产业, 产业化).
            found = tuple(w for w in self.jieba.cut_for_search(run, HMM=True)
                          if w.strip() and w not in ZH_STOP and TOKEN.fullmatch(w))
            self._cjk[run] = found
        return found

    def terms(self, text: str) -> list[str]:
        # The same text recurs (a park's name in each of its projects, zh-Hant's source): cut it once.
        found = self._text.get(text)
        if found is None:
            found = self._text[text] = self._terms(text)
        return found

    def _terms(self, text: str) -> list[str]:
        out: list[str] = []
        for match in TOKEN.finditer(normalize(text)):
            cjk, word = match.groups()
            if cjk:
                out.extend(self.cjk_terms(simplify(cjk)))
            elif len(word) > 1 and word not in EN_STOP:
                out.append(stem(word))
        return out


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


def collect_docs(lv) -> list[Doc]:
    """Projects (grouped by sector, then park, so results of one query share chunks), parks,
    pages — in one language."""
    sector_ids = {s.id: i for i, s in enumerate(lv.sectors)}
    park_ids = {p.id: i for i, p in enumerate(lv.parks)}
    docs: list[Doc] = []
    groups: dict[tuple[int, int], list] = {}       # buckets, not a sort: linear in the projects
    for p in lv.projects:
        groups.setdefault((sector_ids[p.sector.id], park_ids[p.park.id] if p.park else -1), []).append(p)
    for p in (p for key in sorted(groups) for p in groups[key]):
        model: m.Project = p.model
        title, title_lang = _shown(p.title)
        record = {"u": _local(p.url, lv), "t": title, "s": _summary(str.__str__(p.summary)),
                  "f": p.investment, "c": sector_ids[p.sector.id], "x": m.STATUSES.index(p.status)}
        if title_lang:
            record["l"] = title_lang
        if p.park:
            record["r"] = park_ids[p.park.id]
        doc = Doc("project", record, filters={"sector": p.sector.id, "status": p.status})
        if p.park:
            doc.filters["park"] = p.park.id
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
        docs.append(doc)
    for park in lv.parks:
        model: m.Park = park.model
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
        docs.append(doc)
    for page in lv.menu_pages + [lv.page(p) for p in lv.model.pages if p.menu is None]:
        model: m.Page = page.model
        title, title_lang = _shown(page.title)
        body = plain(str.__str__(lv.l10n.text(model.body, lv.lang)))
        record = {"u": _local(page.url, lv), "t": title, "s": _summary(re.sub(r"[#*_|>`-]+", " ", body))}
        if title_lang:
            record["l"] = title_lang
        doc = Doc("page", record)
        doc.fields += [("title", t) for t in _texts(lv, model.title)]
        doc.fields += [("text", plain(t)) for t in _texts(lv, model.body)]
        docs.append(doc)
    return docs


# The index ------------------------------------------------------------------------------------

@dataclass
class SearchIndex:
    lang: str
    folder: str                      # site-root path of the hashed folder, ends with "/"
    files: dict[str, bytes]          # path relative to output/ → bytes

    @property
    def meta(self) -> str:
        return self.folder + "meta.json"


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _deltas(ids: list[int]) -> list[int]:
    return [b - a for a, b in zip([0] + ids, ids)]


_weight = itemgetter(0)
_consume = deque(maxlen=0).extend            # runs an iterator to its end, in C
# Occurrences of a term in one document → what they add to its weight: repeats, up to three.
REPEATS = {1: 0, 2: 1, 3: 2}
MAX_REPEATS = 3


def utf16_key(term: str) -> bytes:
    # search.js compares strings by UTF-16 code units; sort the same way so its binary search
    # over shard boundaries agrees with ours for every character.
    return term.encode("utf-16-be")


def build_index(lv, docs: list[Doc], terms: dict[str, tuple[str, ...]]) -> SearchIndex:
    """The index of one language, from its documents and the terms of every text in them."""
    sectors = lv.sectors

    # term → [doc, weight, doc, weight, ...] in doc order. A term weighs what its best field
    # gives, plus one per repeat anywhere in the document, up to three. Millions of (term, doc)
    # pairs: the loops over them are C's (map, zip, dict.update), not Python's.
    postings: defaultdict[str, list[int]] = defaultdict(list)
    posting = postings.__getitem__
    for number, doc in enumerate(docs):
        fields = sorted([(WEIGHTS[name], terms[text]) for name, text in doc.fields], key=_weight)
        best: dict[str, int] = {}
        for weight, found in fields:      # lightest first: the heaviest field's weight stays
            best.update(zip(found, repeat(weight)))
        counts = Counter(chain.from_iterable([found for _, found in fields]))
        repeats = map(REPEATS.get, counts.values(), repeat(MAX_REPEATS))
        scores = map(add, map(best.__getitem__, counts), repeats)
        _consume(map(list.extend, map(posting, counts), zip(repeat(number), scores)))

    files: dict[str, bytes] = {}
    keys, sizes = [], []
    shard: list[bytes] = []
    shard_bytes = 0

    def close_shard():
        data = b"{" + b",".join(shard) + b"}"
        files[f"t/{len(keys) - 1}.json"] = data
        sizes.append(len(data))

    # What _dump would give for each term and its list, written directly (tens of thousands of
    # terms, millions of numbers, each a doc number, a delta or a weight).
    numeral = [str(n) for n in range(max(len(docs), max(WEIGHTS.values()) + MAX_REPEATS + 1))].__getitem__
    for term in sorted(postings, key=utf16_key):
        flat = postings[term]
        flat[2::2] = map(sub, flat[2::2], flat[:-2:2])      # doc numbers → deltas
        entry = f'{encode_basestring(term)}:[{",".join(map(numeral, flat))}]'.encode()
        if not shard or shard_bytes + len(entry) > SHARD_BYTES:
            if shard:
                close_shard()
            keys.append(term)
            shard, shard_bytes = [], 0
        shard.append(entry)
        shard_bytes += len(entry) + 1
    if shard:
        close_shard()

    for start in range(0, len(docs), CHUNK):
        files[f"d/{start // CHUNK}.json"] = _dump([d.record for d in docs[start: start + CHUNK]])

    facets: dict[tuple[str, str], list[int]] = {}
    for key in [("sector", s.id) for s in sectors] + [("park", p.id) for p in lv.parks] + \
            [("status", s) for s in m.STATUSES]:
        facets[key] = []
    for number, doc in enumerate(docs):
        for facet, value in doc.filters.items():
            facets[(facet, value)].append(number)
    for (facet, value), ids in facets.items():
        files[f"f/{facet}/{value}.json"] = _dump(_deltas(ids))

    kinds = [sum(1 for d in docs if d.kind == k) for k in ("project", "park", "page")]
    meta = {
        "version": 1, "docs": len(docs), "chunk": CHUNK, "kinds": kinds,
        "keys": keys, "sizes": sizes,
        "sectors": [s.name.text for s in sectors],
        "parks": [str.__str__(p.title) for p in lv.parks],
        "status": [[s, lv.label("status", s)] for s in m.STATUSES],
        "t2s": _t2s_table(postings, dict.fromkeys(text for doc in docs for _, text in doc.fields)),
    }
    files["meta.json"] = _dump(meta)

    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    folder = f"{lv.language.folder}/search/{digest.hexdigest()[:12]}/"
    return SearchIndex(lv.lang, folder, {folder + path: data for path, data in files.items()})


def _t2s_table(postings: dict, texts) -> str:
    """Traditional characters a reader may type → the Simplified ones the keys use, as one string
    of pairs. Only characters whose Simplified form occurs in this index's keys are listed:
    any other character cannot match anyway."""
    used = {c for c in set("".join(postings)) if c >= "\u3400"}
    pairs = {}
    for config in ("s2t", "s2tw", "s2hk"):
        converter = _opencc(config)
        for char in sorted(used):
            trad = converter.convert(char)
            if len(trad) == 1 and trad != char and simplify_char(trad) in used:
                pairs[trad] = simplify_char(trad)
    # Characters that only phrases produce (软件 → 軟體) are not in a one-character conversion:
    # take them from the texts themselves.
    for char in set("".join(text for text in texts if not text.isascii())) - used - pairs.keys():
        if char >= "\u3400":
            simple = simplify_char(char)
            if simple != char and simple in used:
                pairs[char] = simple
    return "".join(t + s for t, s in sorted(pairs.items()))


def site_words(site: m.Site) -> list[str]:
    """Words jieba should know: the names of the site's sectors and parks (and the park name
    without its 园区/工业园 suffix, which is how people say it)."""
    words = []
    for value in [s.name for s in site.sectors] + [p.title for p in site.parks]:
        for lang in ("zh", "zh-Hant"):
            text = value.get(lang) if isinstance(value, dict) else None
            if text:
                words.append(simplify(normalize(text)))
    for word in list(words):
        for suffix in ("工业园区", "产业园区", "园区", "工业园", "产业园"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                words.append(word[: -len(suffix)])
                break
    return [w for w in words if re.fullmatch(f"[{CJK}]+", w)]


# The terms of every text: kept between builds, cut on every core ---------------------------------

TERMS_CACHE = "search-terms.pickle"
TERMS_FORMAT = 1
# Below this many characters to cut, starting processes (~0.1 s) costs more than it saves:
# jieba cuts new Chinese text at about 200,000 characters a second. The demo has 40,000.
PARALLEL_FROM = 50_000

_job = None   # (segmenter, texts) — set before forking, read by the workers


def _text_key(text: str) -> bytes:
    # A digest rather than the text: the file would otherwise hold every text of the site again.
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


class TermCache:
    """text → its terms, in `<cache_dir>/search-terms.pickle` between builds.

    The file holds the terms of one segmenter configuration (`Segmenter.config`) and only the
    texts of the last build, so it does not grow with every edit; it is rewritten (whole,
    atomically) only when that set changed. A missing, unreadable or foreign file is an empty
    cache: a cold build, never an error."""

    def __init__(self, folder: Path | None, config: str):
        self.path = folder / TERMS_CACHE if folder is not None else None
        self.config = config
        self.stored: dict[bytes, tuple[str, ...]] = self._load()

    def _load(self) -> dict:
        if self.path is None:
            return {}
        collecting = gc.isenabled()
        gc.disable()      # a tuple per text: no collection need walk them while they arrive
        try:
            with open(self.path, "rb") as f:
                fmt, config, stored = _PlainUnpickler(f).load()
        except Exception:
            return {}
        finally:
            if collecting:
                gc.enable()
        if fmt != TERMS_FORMAT or config != self.config or type(stored) is not dict:
            return {}
        return stored

    def save(self, terms: dict[bytes, tuple[str, ...]]) -> None:
        """Keep exactly `terms` (what this build used) if that differs from the file."""
        if self.path is None or terms.keys() == self.stored.keys():
            return       # same keys, same configuration: the same terms
        # Its own temporary name: two builds of one site at once must not write into one file.
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump((TERMS_FORMAT, self.config, terms), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)   # a read-only site folder only loses the cache


def _cut_share(share: tuple[int, int]) -> list[tuple[str, ...]]:
    index, count = share
    segmenter, texts = _job
    return [tuple(segmenter.terms(text)) for text in texts[index::count]]


HAS_CJK = re.compile(f"[{CJK}]")


class _PlainUnpickler(pickle.Unpickler):
    """The cache holds only strings, bytes, tuples and dicts: a file planted in .yunzhao-cache/
    that names any class (and so could run code) is refused."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a term cache")


def cut_texts(segmenter: Segmenter, texts: list[str], workers: int | None = None) -> list[tuple[str, ...]]:
    """The terms of each text, cut on every core when there are enough of them.

    Workers are forked once jieba's dictionary is loaded, so each inherits it rather than
    loading its own; each cuts every n-th text (long and short texts spread evenly)."""
    global _job
    workers = workers or int(os.environ.get("YUNZHAO_WORKERS", 0)) or os.cpu_count() or 1
    # (A daemonic process, a pool's worker, may not start processes of its own.)
    forking = "fork" in multiprocessing.get_all_start_methods()
    forking = forking and not multiprocessing.current_process().daemon
    if workers < 2 or not forking or sum(map(len, texts)) < PARALLEL_FROM:
        return [tuple(segmenter.terms(text)) for text in texts]
    if any(HAS_CJK.search(text) for text in texts):
        segmenter.jieba.check_initialized()
        _opencc("t2s")
    _job = (segmenter, texts)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            shares = pool.map(_cut_share, [(i, workers) for i in range(workers)])
    finally:
        _job = None
    out: list = [None] * len(texts)
    for index, share in enumerate(shares):
        out[index::workers] = share
    return out


def text_terms(texts, segmenter: Segmenter, cache_dir: Path | None = None,
               workers: int | None = None) -> dict[str, tuple[str, ...]]:
    """text → its terms, for every distinct text given: from the cache, the others cut anew."""
    texts = list(dict.fromkeys(texts))
    if cache_dir is None:
        return dict(zip(texts, cut_texts(segmenter, texts, workers)))
    cache = TermCache(cache_dir, segmenter.config)
    keys = [_text_key(text) for text in texts]
    stored = cache.stored
    found = [stored.get(key) for key in keys]
    missing = [i for i, terms in enumerate(found) if terms is None]
    for i, terms in zip(missing, cut_texts(segmenter, [texts[i] for i in missing], workers)):
        found[i] = terms
    cache.save(dict(zip(keys, found)))
    return dict(zip(texts, found))


def build_indexes(site: m.Site, views: dict, cache_dir: Path | None = None,
                  workers: int | None = None) -> dict[str, SearchIndex]:
    """One index per language of the site. The terms of every text are kept in `cache_dir`
    (`<site>/.yunzhao-cache/`) between builds if given, so a build cuts only new texts.
    `workers` processes cut new texts (default: one per core)."""
    segmenter = Segmenter(site_words(site))
    docs = {lang: collect_docs(views[lang]) for lang in site.languages}
    terms = text_terms((text for lang in site.languages for doc in docs[lang] for _, text in doc.fields),
                       segmenter, cache_dir, workers)
    return {lang: build_index(views[lang], docs[lang], terms) for lang in site.languages}
