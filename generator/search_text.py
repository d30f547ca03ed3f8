"""Text → index terms: what search.py indexes and search.js looks up must be cut alike.

Chinese is cut into words by jieba, taught the site's own words (sector and park names) first,
so that 西彭新材料产业化项目 is 西彭 / 新材料 / 产业化 / 项目 and not 西 / 彭新 / 材料; every
Chinese term is kept in Simplified characters, converted one character at a time (OpenCC t2s),
so that search.js can convert a query the same way with a table. English is lowercased, stop
words dropped and each word stemmed (`stem`). The token expressions, stop words and stemmer
exist twice, here and in themes/default/static/search.js.

Cutting Chinese is most of the work of indexing, so: each distinct run of Chinese characters is
cut once per build, the terms of every text are kept in `.yunzhao-cache/search-terms/`
between builds (`TermCache`), a build with many new texts cuts them on every core
(`cut_texts`), and jieba's dictionary is read a character at a time from the user's cache
(`JiebaTable`) instead of loading all of it.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import logging
import multiprocessing
import os
import pickle
import re
import unicodedata
from itertools import chain
from pathlib import Path

from . import model as m
from .template_cache import user_cache

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
def _jieba(words: tuple[str, ...]) -> "Jieba":
    # Kept between builds of one process (`yunzhao serve` rebuilds on every save).
    return Jieba(words)


class Jieba:
    """jieba's tokenizer, taught the site's words.

    Its dictionary (half a million words and prefixes) takes jieba 0.7 s to load from its own
    cache, more than cutting a whole site's new text usually does. We keep a copy of it in the
    user's cache split by first character (`JiebaTable`), and load only the characters of the
    text about to be cut: jieba looks up nothing but pieces of that text, so it answers exactly
    as with the whole dictionary."""

    def __init__(self, words: tuple[str, ...]):
        import jieba
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.table = JiebaTable.open(self.tokenizer)      # None: the whole dictionary is loaded
        for word in words:
            self.prepare(word)           # before add_word, which looks the word's pieces up
            self.tokenizer.add_word(word)

    def prepare(self, text: str) -> None:
        if self.table is not None:
            self.table.load(text)

    def load_all(self) -> None:
        """Everything, before forking workers (each would load the same again otherwise)."""
        if self.table is not None:
            self.table.load(self.table.index.keys())

    def cut_for_search(self, run: str):
        self.prepare(run)
        return self.tokenizer.cut_for_search(run, HMM=True)


JIEBA_TABLE_FORMAT = 1


class JiebaTable:
    """jieba's dictionary in `~/.cache/yunzhao/jieba-<key>.table`: word → frequency, grouped by
    first character, each group a pickle of its own, read only when a text holds that character.

    Made once per user and jieba dictionary (named by jieba's version and the digest of its
    dictionary file), from the dictionary jieba itself loads. Read with the unpickler that runs
    nothing; a damaged or foreign file is made anew."""

    def __init__(self, tokenizer, index: dict[str, tuple[int, int]], blobs: memoryview):
        self.freq = tokenizer.FREQ
        self.index = index
        self.blobs = blobs
        self.loaded: set[str] = set()

    def load(self, chars) -> None:
        for char in set(chars) - self.loaded:
            self.loaded.add(char)
            span = self.index.get(char)
            if span is not None:
                self.freq.update(_PlainUnpickler(io.BytesIO(self.blobs[span[0]: span[1]])).load())

    @staticmethod
    def key(tokenizer) -> str | None:
        import jieba
        if tokenizer.dictionary is not None:
            return None
        try:
            data = Path(jieba.__file__).with_name("dict.txt").read_bytes()
        except OSError:
            return None
        return hashlib.sha256(repr(jieba.__version__).encode() + data).hexdigest()[:24]

    @classmethod
    def open(cls, tokenizer) -> "JiebaTable | None":
        """The table for this tokenizer's dictionary, which it then reads; None if there is none
        (the tokenizer has then loaded its whole dictionary, and the table is made for next time)."""
        key = cls.key(tokenizer)
        if key is None:
            return None
        path = user_cache() / f"jieba-{key}.table"
        try:
            data = memoryview(path.read_bytes())
            size = int.from_bytes(data[:8], "big")
            fmt, their_key, total, index, digest = _PlainUnpickler(io.BytesIO(data[8: 8 + size])).load()
            blobs = data[8 + size:]
            if (fmt, their_key) != (JIEBA_TABLE_FORMAT, key) or hashlib.sha256(blobs).digest() != digest \
                    or type(index) is not dict or type(total) is not int:
                raise ValueError("not this dictionary's table")
        except Exception:
            tokenizer.initialize()
            cls.save(path, key, tokenizer.FREQ, tokenizer.total)
            return None
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {}, total, True
        return cls(tokenizer, index, blobs)

    @staticmethod
    def save(path: Path, key: str, freq: dict, total: int) -> None:
        groups: dict[str, dict] = {}
        for word, n in freq.items():
            groups.setdefault(word[0], {})[word] = n
        index, blobs, at = {}, [], 0
        for char in sorted(groups):
            blob = pickle.dumps(groups[char], protocol=pickle.HIGHEST_PROTOCOL)
            index[char] = (at, at + len(blob))
            blobs.append(blob)
            at += len(blob)
        blobs = b"".join(blobs)
        header = pickle.dumps((JIEBA_TABLE_FORMAT, key, total, index, hashlib.sha256(blobs).digest()),
                              protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(len(header).to_bytes(8, "big") + header + blobs)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)      # no writable cache: the next build loads jieba's own


_SIMPLIFIED: dict[int, str] = {}     # a str.translate table, filled as characters are met


def simplify(text: str) -> str:
    for char in set(text):
        if ord(char) not in _SIMPLIFIED:
            _SIMPLIFIED[ord(char)] = simplify_char(char) if char >= "\u3400" else char
    return text.translate(_SIMPLIFIED)


def traditional_chars(text: str) -> str:
    """The characters of `text` that `simplify` changes, sorted: the t2s table of meta.json is
    made of the Traditional characters the texts hold (see `_t2s_table`)."""
    chars = set(text)
    for char in chars:
        if ord(char) not in _SIMPLIFIED:
            _SIMPLIFIED[ord(char)] = simplify_char(char) if char >= "\u3400" else char
    return "".join(sorted(c for c in chars if _SIMPLIFIED[ord(c)] != c))


# Characters of Chinese text that NFKC changes (fullwidth punctuation, the ellipsis), replaced
# by their NFKC form before NFKC itself: most texts are then normalized already, which is
# quick to check, and NFKC (slow) is skipped. Exact: replacing a character by its own NFKC
# form leaves the NFKC form of the whole text as it was.
NFKC_FIRST = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，（）：；！？％…")


@functools.lru_cache(maxsize=None)
def _replaced_traditional() -> str:
    # None in practice (they are punctuation), but a text's Traditional characters are read
    # as written, before these replacements.
    return traditional_chars("".join(char for char, _ in NFKC_FIRST))


def _nfkc(text: str) -> str:
    if text.isascii():
        return text                        # NFKC of ASCII is ASCII
    for char, normal in NFKC_FIRST:
        text = text.replace(char, normal)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    return _nfkc(text).lower()


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


# A text cut into Chinese runs and what lies between them (split keeps the separators: runs
# at even places, separators at odd ones); words are found in the separators. The order of
# the terms of a text does not matter to the index, only how many of each there are.
CJK_SPLIT = re.compile(f"([^{CJK}]+)")
WORD = re.compile("[0-9a-z\u00c0-\u024f]+")
# ASCII text → its words, lowercase, between spaces (what WORD finds, and split() then cuts).
ASCII_WORDS = str.maketrans({c: c.lower() if c.isalnum() else " " for c in map(chr, range(128))})
HIGH = re.compile("[^\x00-\u33ff]")       # a character `simplify` may change


class Segmenter:
    """Text → index terms. jieba learns the site's own words first, so that a title such as
    西彭新材料产业化项目 is cut 西彭 / 新材料 / 产业化 / 项目 and not 西 / 彭新 / 材料."""

    def __init__(self, words: list[str]):
        self.words = tuple(sorted(set(words)))
        # Memos: a Chinese run as written → its terms and its Traditional characters; the
        # same Simplified → its terms; an English word → its stem ("" for a stop word).
        self._runs: dict[str, tuple[tuple[str, ...], str]] = {"": ((), "")}
        self._simplified: dict[str, tuple[str, ...]] = {}
        self._stems: dict[str, str] = {}
        self._text: dict[str, tuple[tuple[str, ...], str]] = {}

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
        """The terms of a run of Chinese characters (simplified already)."""
        found = self._simplified.get(run)
        if found is None:
            # Search mode also gives the words inside long words (产业化 → 产业, 产业化).
            found = tuple(w for w in self.jieba.cut_for_search(run)
                          if w.strip() and w not in ZH_STOP and TOKEN.fullmatch(w))
            self._simplified[run] = found
        return found

    def _run(self, run: str) -> tuple[tuple[str, ...], str]:
        found = self._runs[run] = (self.cjk_terms(simplify(run)), traditional_chars(run))
        return found

    def terms(self, text: str) -> list[str]:
        return list(self.cut(text)[0])

    def cut(self, text: str) -> tuple[tuple[str, ...], str]:
        """(the terms of a text, its Traditional characters)."""
        # The same text recurs (a park's name in each of its projects, zh-Hant's source): cut it once.
        found = self._text.get(text)
        if found is None:
            found = self._text[text] = self._cut(text)
        return found

    def _words(self, words: list[str]) -> tuple[str, ...]:
        stems = list(map(self._stems.get, words))
        if None in stems:
            for i, word in enumerate(words):
                if stems[i] is None:
                    stems[i] = self._stems[word] = (stem(word) if len(word) > 1 and word not in EN_STOP
                                                    else "")
        return tuple(filter(None, stems))

    def _cut(self, text: str) -> tuple[tuple[str, ...], str]:
        if text.isascii():
            return self._words(text.translate(ASCII_WORDS).split()), ""
        replaced = text
        for char, normal in NFKC_FIRST:
            replaced = replaced.replace(char, normal)
        if not unicodedata.is_normalized("NFKC", replaced):
            # Rare (other compatibility characters): NFKC may join or change runs, so the text
            # is cut as normalized, and its Traditional characters read from it as written.
            parts = CJK_SPLIT.split(unicodedata.normalize("NFKC", replaced).lower())
            runs = [self._runs.get(run) or self._run(run) for run in parts[0::2]]
            words = self._words(WORD.findall(" ".join(parts[1::2])))
            return tuple(chain(chain.from_iterable([terms for terms, _ in runs]), words)), \
                traditional_chars(text)
        # Normalized: the runs are as written (lower() changes no Chinese character).
        parts = CJK_SPLIT.split(replaced)
        runs = parts[0::2]
        found = list(map(self._runs.get, runs))
        if None in found:
            found = [f or self._run(run) for f, run in zip(found, runs)]
        between = " ".join(parts[1::2])
        words = self._words(WORD.findall(between.lower())) if between else ()
        trad = {c for _, chars in found if chars for c in chars}
        if not between.isascii() and HIGH.search(between):
            trad.update(traditional_chars(between))
        trad.update(c for c in _replaced_traditional() if c in text)
        return tuple(chain(chain.from_iterable([terms for terms, _ in found]), words)), "".join(sorted(trad))


@functools.lru_cache(maxsize=None)
def convert_char(config: str, char: str) -> str:
    return _opencc(config).convert(char)


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

TERMS_CACHE = "search-terms"      # a folder of TERMS_PARTS files
TERMS_FORMAT = 2
TERMS_PARTS = 16
# Below this many characters to cut, starting processes (~0.1 s) costs more than it saves:
# jieba cuts new Chinese text at about 200,000 characters a second. The demo has 40,000.
PARALLEL_FROM = 50_000

_job = None   # (segmenter, texts) — set before forking, read by the workers


def text_key(text: str) -> bytes:
    # A digest rather than the text: the file would otherwise hold every text of the site again.
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def _part(key: bytes) -> int:
    return key[0] * TERMS_PARTS >> 8


class TermCache:
    """text key → (its terms, its Traditional characters), in `<cache_dir>/search-terms/`
    between builds, split by key into TERMS_PARTS files: a build that needs the terms of a few
    texts reads one or two of them (`get`), a whole build all (`stored`).

    The files hold the terms of one segmenter configuration (`Segmenter.config`) and only the
    texts of the last whole build, so they do not grow with every edit; a file is rewritten
    (whole, atomically) only when its set of texts changed. A missing, unreadable or foreign
    file is an empty part: those texts are cut again, never an error."""

    def __init__(self, folder: Path | None, config: str):
        self.folder = folder / TERMS_CACHE if folder is not None else None
        self.config = config
        self.parts: dict[int, dict[bytes, tuple]] = {}

    @staticmethod
    def clear(folder: Path) -> None:
        for part in range(TERMS_PARTS):
            (folder / TERMS_CACHE / f"{part:x}.pickle").unlink(missing_ok=True)

    def get(self, key: bytes) -> tuple | None:
        part = _part(key)
        if part not in self.parts:
            self.parts[part] = self._load(part)
        return self.parts[part].get(key)

    @property
    def stored(self) -> dict[bytes, tuple]:
        """Every text kept."""
        found = {}
        for part in range(TERMS_PARTS):
            if part not in self.parts:
                self.parts[part] = self._load(part)
            found.update(self.parts[part])
        return found

    def _load(self, part: int) -> dict:
        if self.folder is None:
            return {}
        collecting = gc.isenabled()
        gc.disable()      # a tuple per text: no collection need walk them while they arrive
        try:
            with open(self.folder / f"{part:x}.pickle", "rb") as f:
                fmt, config, stored = _PlainUnpickler(f).load()
        except Exception:
            return {}
        finally:
            if collecting:
                gc.enable()
        if fmt != TERMS_FORMAT or config != self.config or type(stored) is not dict:
            return {}
        return stored

    def save(self, terms: dict[bytes, tuple[tuple[str, ...], str]]) -> None:
        """Keep exactly `terms` (what this build used): the files whose texts changed."""
        if self.folder is None:
            return
        (self.folder.parent / "search-terms.pickle").unlink(missing_ok=True)   # the one-file form, before
        parts: dict[int, dict] = {part: {} for part in range(TERMS_PARTS)}
        for key, found in terms.items():
            parts[_part(key)][key] = found
        for part, kept in parts.items():
            if part not in self.parts:
                self.parts[part] = self._load(part)
            if kept.keys() == self.parts[part].keys():
                continue       # same keys, same configuration: the same terms
            path = self.folder / f"{part:x}.pickle"
            # Its own temporary name: two builds of one site at once must not write into one file.
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as f:
                    pickle.dump((TERMS_FORMAT, self.config, kept), f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
                self.parts[part] = kept
            except OSError:
                tmp.unlink(missing_ok=True)   # a read-only site folder only loses the cache


def _cut_share(share: tuple[int, int]) -> list[tuple[tuple[str, ...], str]]:
    index, count = share
    segmenter, texts = _job
    return list(map(segmenter.cut, texts[index::count]))


HAS_CJK = re.compile(f"[{CJK}]")


class _PlainUnpickler(pickle.Unpickler):
    """The cache holds only strings, bytes, tuples and dicts: a file planted in .yunzhao-cache/
    that names any class (and so could run code) is refused."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a term cache")


def cut_texts(segmenter: Segmenter, texts: list[str],
              workers: int | None = None) -> list[tuple[tuple[str, ...], str]]:
    """(terms, Traditional characters) of each text, cut on every core when there are enough of them.

    Workers are forked once jieba's dictionary is loaded, so each inherits it rather than
    loading its own; each cuts every n-th text (long and short texts spread evenly)."""
    global _job
    workers = workers or int(os.environ.get("YUNZHAO_WORKERS", 0)) or os.cpu_count() or 1
    # (A daemonic process, a pool's worker, may not start processes of its own.)
    forking = "fork" in multiprocessing.get_all_start_methods()
    forking = forking and not multiprocessing.current_process().daemon
    if workers < 2 or not forking or sum(map(len, texts)) < PARALLEL_FROM:
        return list(map(segmenter.cut, texts))
    if any(HAS_CJK.search(text) for text in texts):
        segmenter.jieba.load_all()
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


def text_terms(texts, segmenter: Segmenter, cache_dir: Path | None = None, workers: int | None = None,
               known: dict[bytes, tuple] | None = None) -> tuple[dict[str, tuple], dict[str, bytes]]:
    """text → (terms, Traditional characters) for every distinct text given, and text → its key
    (with `cache_dir` only): from the cache or `known` (key → the same), the others cut anew.
    The cache then holds exactly these texts."""
    texts = list(dict.fromkeys(texts))
    if cache_dir is None:
        return dict(zip(texts, cut_texts(segmenter, texts, workers))), {}
    cache = TermCache(cache_dir, segmenter.config)
    keys = list(map(text_key, texts))
    found = list(map(cache.stored.get, keys))
    if known:
        found = [terms or known.get(key) for terms, key in zip(found, keys)]
    missing = [i for i, terms in enumerate(found) if terms is None]
    for i, terms in zip(missing, cut_texts(segmenter, [texts[i] for i in missing], workers)):
        found[i] = terms
    cache.save(dict(zip(keys, found)))
    return dict(zip(texts, found)), dict(zip(texts, keys))
