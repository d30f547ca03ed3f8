"""Markdown rendering: the fast path for simple text writes exactly the HTML markdown-it writes.

`generator.markdown._simple_html` renders headings, prose paragraphs, one-line lists and pipe
tables without markdown-it, and answers None for any other text. Each test here holds its output
to markdown-it's own (with raw HTML off and on) for text that it accepts: random text made of the
characters that matter to Markdown, random documents of simple blocks, every kind of space and
control character at every edge, the demo site and the shared benchmark corpus.
"""

from __future__ import annotations

import os
import sys
import unicodedata

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEMO, REPO

sys.path.insert(0, str(REPO))
from generator import markdown  # noqa: E402
from generator.markdown import _parser, _simple_html, render_markdown  # noqa: E402

LONG_RUN = int(os.environ.get("YUNZHAO_FUZZ_EXAMPLES", "0"))    # as in test_fuzz.py
PROPERTY = settings(max_examples=LONG_RUN or 600, derandomize=not LONG_RUN, deadline=None,
                    database=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_as_markdown_it(text: str) -> bool:
    """True if the fast path took the text; then its HTML is markdown-it's, byte for byte."""
    fast = _simple_html(text)
    if fast is None:
        return False
    assert fast == _parser(False).render(text), text
    assert fast == _parser(True).render(text), text
    return True


# Characters that start or end Markdown syntax, spaces of every kind, and CJK text.
SYNTAX = list("*_`\\&#;~!-+=.0123456789():|\"'<>[]$%^{}/? \t\n") + [
    "\u3000", "\xa0", "\u2028", "\x85", "\x0b", "\x1c", "\ufeff", "\u200b", "\r", "\x00"]
CJK = ["中文", "项目", "。", "，", "（", "）", "、", "：", "年产", "亿元", "ｆ", "é"]
PIECES = SYNTAX + CJK + ["word", "R&D", "&amp;", "&#123;", "&#x4e2d;", "&copy;", "&bogus;", "**",
                         "  ", "1. ", "- ", "# ", "| ", " |", "---", ":-:", "\n\n"]


@PROPERTY
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_random_text_renders_as_markdown_it_does(text):
    assert_same_as_markdown_it(text)


# Documents of simple blocks, with words that look like syntax where it does not count, and now
# and then a character slipped in that may turn the block into something else.
PLAIN = ["投资", "中文项目", "R&D", "a > b", 'x "q"', "it's", "3.5", "2024年", "100%", "(c)", "C#", "a#",
         "a  b", "& y", "$", "@", "{}"]
LOOKS_LIKE_SYNTAX = ["#5", "#", "-x", "-", "+", "=", "~", "!", ":", "1.", "2)", "a\tb", ">"]
phrase = st.builds(lambda first, rest: " ".join([first, *rest]), st.sampled_from(PLAIN),
                   st.lists(st.sampled_from(PLAIN + LOOKS_LIKE_SYNTAX), max_size=3))
heading = st.builds(lambda level, text: f"{'#' * level} {text}", st.sampled_from([1, 2, 2, 3, 3, 6, 7]), phrase)
paragraph = st.lists(phrase, min_size=1, max_size=3)


@st.composite
def item_list(draw):
    """Items mostly with one marker; now and then another, which starts another list."""
    marker = draw(st.sampled_from(["-", "-", "+", "1.", "1.", "2.", "1)", "007.", "0.", "*"]))
    markers = st.sampled_from([marker] * 12 + ["-", "+", "1.", "1)"])
    return [f"{draw(markers)} {draw(phrase)}" for _ in range(draw(st.integers(1, 4)))]


@st.composite
def table(draw):
    """Mostly well-formed; rows may miss or add a cell, or look like a delimiter row."""
    columns = draw(st.integers(1, 3))
    cell = st.one_of(phrase.map(lambda text: f" {text} "), st.sampled_from(["", " ", "x", "  x\t", "---"]))

    def row(cells):
        return "|" + "|".join(draw(st.lists(cell, min_size=cells, max_size=cells))) + "|"
    delimiter = st.sampled_from(["---", " --- ", ":--", "--:", " :-: ", "-", "---:"])
    rows = [row(columns), "|" + "|".join(draw(st.lists(delimiter, min_size=columns, max_size=columns))) + "|"]
    rows += [row(draw(st.sampled_from([columns] * 12 + [columns + 1, max(1, columns - 1)])))
             for _ in range(draw(st.integers(0, 3)))]
    return rows


@st.composite
def document(draw):
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        block = draw(st.one_of(heading.map(lambda line: [line]), paragraph, item_list(), table()))
        if draw(st.integers(0, 9)) == 0:     # slip in a character that may change what it is
            index = draw(st.integers(0, len(block) - 1))
            at = draw(st.integers(0, len(block[index])))
            extra = draw(st.sampled_from(list(" \t|#-*>:`") + ["  ", "1. ", "---", "| --- |", "\u3000"]))
            block[index] = block[index][:at] + extra + block[index][at:]
        lines += block + [""] * draw(st.sampled_from([0, 1, 1, 2])) + draw(st.sampled_from([[]] * 5 + [[" \t"]]))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(PROPERTY, max_examples=LONG_RUN or 400)     # documents take longer to draw
@given(document())
def test_random_documents_of_simple_blocks_render_as_markdown_it_does(text):
    assert_same_as_markdown_it(text)


def test_every_space_and_control_character_at_every_edge():
    odd = [ch for ch in map(chr, range(0x110000))
           if ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cf")]
    for ch in odd:
        for text in (f"{ch}中文", f"中文{ch}", f"a{ch}b", f"# {ch}x", f"- {ch}x\n- y{ch}", f"1. x{ch}",
                     f"x\n{ch}y", f"| {ch}a | b{ch} |\n|---|---|\n|{ch}|{ch} c |", f"{ch}\n\nx"):
            assert_same_as_markdown_it(text)


# Text one step from what the fast path writes, which it must refuse (or render as markdown-it
# does): each would change meaning in markdown-it if a check were missing.
NEAR_MISSES = [
    "- a\n\n- b", "- a\n\n+ b", "1. a\n\n1. b", "- a\n\n1. b", "- a\n+ b", "1. a\n1) b", "- a\nb",
    "# x #", "## a ##\n", "# x\ny", "####### x", "#x", "# ", "a\n---", "a\n===", "a\n- b", "a\n1. b",
    "a\n2. b", "a\n> b", "> a", "a\n# b", "- # a", "- > a", "- 1. a", "- - a", "- ---", "---", "***",
    "| a |\n|---|\n|---|", "| a |\n|---|\n| b |\n| --- |", "| a | b |\n|---|---|\n| x |",
    "| a |\n|---|\n| x | y |", "| a | b |\n|---|\n| x |", "| a |\n|---|\nb", "| a |\n| --- |\n\n| b |",
    "a | b\n--- | ---", "| a |\n|\t---|", "|a|\n|-|", "a\n| b |\n|---|", "a  \nb", "a \nb", "a\n b",
    "    code", "\tcode", "a\\\nb", "a &amp; b", "&#x4e2d;", "&copy", "1) a", "1.5 亿元", "2024. 年",
    "1234567890. a", "\u3000\u3000首行缩进", "a\u3000", "a\u00a0\nb", "| a\u3000| b |\n|---|---|",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_refused_or_rendered_as_markdown_it_does(text):
    assert_same_as_markdown_it(text)


# Each kind of block the fast path writes, so none of the tests above can pass by refusing all.
SIMPLE = {
    "heading and paragraphs": "## 项目概况\n\n第一段，R&D \"中心\" > 标准。\n第二行 it's\n\n地块 #5 C#\n",
    "lists": "- 甲\n- 乙 1. 丙\n\n### 标题\n\n3. 三\n4. 四\n\n段落\n\n1) a\n\n段落\n\n+ x\n+ y",
    "tables": "| 指标 | 数值 | 备注 |\n| --- | ---: | :-: |\n| 总投资 | 2737.5 百万元 | |\n\n| 备注 |\n|:--|\n",
    "ideographic text with no blank line at the end": "## 园区简介\n\n园区现有入驻企业 300 家。",
}


@pytest.mark.parametrize("name", sorted(SIMPLE))
def test_the_fast_path_writes_each_kind_of_simple_block(name):
    assert assert_same_as_markdown_it(SIMPLE[name]), f"{name}: the fast path refused it"


def demo_texts() -> list[str]:
    """Every Markdown body and every string of the demo content."""
    texts = []
    for path in sorted(DEMO.rglob("*.md")):
        source = path.read_text("utf-8")
        texts.append(source.split("\n---\n", 1)[-1] if source.startswith("---\n") else source)

    def strings(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        elif isinstance(value, str):
            yield value
    for path in sorted(DEMO.rglob("*.yaml")):
        texts.extend(strings(yaml.safe_load(path.read_text("utf-8"))))
    return texts


def test_demo_content_renders_as_markdown_it_does():
    texts = demo_texts()
    taken = sum(assert_same_as_markdown_it(text) for text in texts)
    assert taken > len(texts) // 2, f"the fast path took only {taken} of {len(texts)} demo texts"


def load_corpus():
    """The shared benchmark corpus generator, beside the checkout where the benchmarks run. A
    clean clone may not have it: the demo and the property tests above cover the same ground,
    so this cross-check is skipped (and says so) rather than failed there."""
    folder = REPO.parent / "shared" / "bench"
    if not (folder / "make_corpus.py").exists():
        pytest.skip(f"the shared benchmark corpus ({folder}) is not beside this checkout")
    sys.path.insert(0, str(folder))
    import make_corpus
    return make_corpus


def test_benchmark_corpus_descriptions_take_the_fast_path_and_render_as_markdown_it_does():
    corpus = load_corpus()
    texts = [corpus.project_body(corpus.project_record(i), lang) for i in range(1, 601) for lang in ("zh", "en")]
    texts += [corpus.park_body(corpus.park_record(j), lang) for j in range(40) for lang in ("zh", "en")]
    refused = [text for text in texts if not assert_same_as_markdown_it(text)]
    assert not refused, f"{len(refused)} corpus texts went to markdown-it, e.g. {refused[0]!r}"


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("top_level", [None, 2, 3])
def test_render_markdown_is_the_same_with_and_without_the_fast_path(monkeypatch, allow_html, top_level):
    texts = demo_texts() + list(SIMPLE.values())
    fast = [render_markdown(text, allow_html, top_level=top_level) for text in texts]
    render_markdown.cache_clear()
    monkeypatch.setattr(markdown, "_simple_html", lambda text: None)
    try:
        slow = [render_markdown(text, allow_html, top_level=top_level) for text in texts]
    finally:
        render_markdown.cache_clear()
    assert fast == slow


def test_the_render_cache_tells_options_apart():
    text = "## 选商标准\n\n园区**主动**筛选。\n"
    assert render_markdown(text, top_level=2) == "<h2>选商标准</h2>\n<p>园区<strong>主动</strong>筛选。</p>\n"
    assert render_markdown(text) == "<h3>选商标准</h3>\n<p>园区<strong>主动</strong>筛选。</p>\n"
    assert render_markdown(text, shift_headings=0) == "<h2>选商标准</h2>\n<p>园区<strong>主动</strong>筛选。</p>\n"
    hits = render_markdown.cache_info().hits
    assert render_markdown(text, top_level=2).startswith("<h2>")
    assert render_markdown.cache_info().hits == hits + 1
