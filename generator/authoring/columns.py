"""Which column of a bureau's sheet is which field of a project.

Staff head their columns in Chinese or English, with the unit in brackets (投资额(亿元),
总投资（万元）, Investment (RMB million)) and the language as a word (项目名称(英文), 英文名称,
title_en). A header may span two rows (投资额 over 亿元, 项目名称 over 中文 | 英文); the parts
are read together. Nothing here looks at data rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..units import UnitError, parse_area, parse_money
from .sitedata import fold

# Header words per field, compared folded (case, width and spaces ignored).
FIELD_WORDS = {
    "row-number": ["序号", "编号序号", "no", "no.", "#", "行号", "序"],
    "id": ["id", "项目编号", "编号", "项目id", "项目代码", "代码", "slug", "项目标识"],
    "title": ["项目名称", "名称", "项目名", "项目", "项目标题", "title", "project", "projectname", "name",
              "projecttitle"],
    "sector": ["所属行业", "行业", "产业", "所属产业", "行业类别", "产业类别", "产业领域", "行业领域",
               "产业类型", "行业分类", "产业分类", "sector", "industry"],
    "park": ["所在园区", "园区", "所属园区", "载体", "落地园区", "承接园区", "所在平台", "平台", "park",
             "industrialpark"],
    "investment": ["投资额", "总投资", "投资总额", "计划投资", "计划总投资", "拟投资", "拟投资额", "总投资额",
                   "投资规模", "项目总投资", "investment", "totalinvestment", "amount", "investmentamount"],
    "status": ["项目状态", "状态", "进展", "项目进展", "进展情况", "推进情况", "项目阶段", "阶段", "status",
               "stage", "progress"],
    "cooperation": ["合作方式", "合作模式", "投资方式", "招商方式", "cooperation", "cooperationmode",
                    "modeofcooperation", "investmentmode"],
    "land": ["用地面积", "用地", "占地面积", "占地", "用地规模", "土地面积", "拟用地", "需用地", "用地需求",
             "land", "landarea", "landrequired", "sitearea"],
    "location": ["项目地址", "地址", "项目选址", "选址", "建设地点", "地点", "位置", "项目位置", "建设地址",
                 "location", "address"],
    "coordinates": ["坐标", "经纬度", "coordinates", "lnglat"],
    "longitude": ["经度", "longitude", "lng", "lon"],
    "latitude": ["纬度", "latitude", "lat"],
    "summary": ["项目简介", "简介", "摘要", "项目概况", "概况", "summary", "brief", "overview"],
    "description": ["项目详情", "详细介绍", "项目介绍", "介绍", "项目内容", "建设内容", "主要建设内容", "详情",
                    "description", "details"],
    "highlights": ["项目亮点", "亮点", "优势", "项目优势", "highlights", "advantages"],
    "images": ["图片", "图片路径", "照片", "images", "image", "photos"],
    "contact": ["联系人", "负责人", "对接人", "招商联系人", "contact", "contactperson"],
    "phone": ["联系电话", "电话", "联系方式", "手机", "phone", "tel", "telephone", "mobile"],
    "aliases": ["曾用编号", "旧编号", "原编号", "别名", "aliases", "formerids"],
    "signed": ["签约日期", "签约时间", "签约", "signed", "signingdate", "datesigned"],
}
WORD_FIELD = {fold(word): name for name, words in FIELD_WORDS.items() for word in words}

# Fields whose text is per language.
LOCALIZED = ("title", "location", "summary", "description", "highlights")

LANGUAGE_WORDS = {
    "英文": "en", "英语": "en", "english": "en", "en": "en",
    "中文": "zh", "简体": "zh", "简体中文": "zh", "chinese": "zh", "zh": "zh", "zh-cn": "zh",
    "繁体": "zh-Hant", "繁體": "zh-Hant", "繁体中文": "zh-Hant", "繁體中文": "zh-Hant",
    "traditional": "zh-Hant", "zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant",
}

# English unit phrases staff put in headers, as the Chinese unit they mean.
_ENGLISH_UNITS = {
    "rmb100million": "亿元", "100millionrmb": "亿元", "100millionyuan": "亿元", "yuan100million": "亿元",
    "rmb10,000": "万元", "10,000rmb": "万元", "10,000yuan": "万元", "10kyuan": "万元", "rmb10k": "万元",
    "tenthousandyuan": "万元", "10thousandyuan": "万元",
}

_BRACKETS = re.compile(r"[(\[（【〔]([^)\]）】〕]*)[)\]）】〕]")
_SUFFIX_LANG = re.compile(r"^(?P<base>[a-z][a-z ]*?)[\s_.\-]+(?P<lang>en|zh|zh-hant)$")


@dataclass
class Part:
    """What one header text says: a field, a language, a unit (any of them may be missing)."""
    field: str | None = None
    lang: str | None = None
    unit: str | None = None        # e.g. "亿元", "万元", "亩", "million rmb"
    unit_kind: str | None = None   # "money" or "area"

    @property
    def known(self) -> bool:
        return bool(self.field or self.lang or self.unit)


def read_part(text) -> Part:
    """Read one header text, e.g. 投资额(亿元), 项目名称（英文）, 英文名称, title_en, 亿元."""
    part = Part()
    if text is None:
        return part
    written = unicodedata.normalize("NFKC", str(text)).strip().rstrip(":：")
    qualifiers = _BRACKETS.findall(written)
    base = _BRACKETS.sub(" ", written).strip()
    if "/" in base and not qualifiers:              # 投资额/亿元
        base, _, rest = base.partition("/")
        qualifiers.append(rest)
    for qualifier in qualifiers + [base]:
        raw = " ".join(re.sub(r"^(单位|unit)\s*[:：]?", "", qualifier.strip(), flags=re.I).lower().split())
        word = fold(raw)
        if word in LANGUAGE_WORDS:
            part.lang = LANGUAGE_WORDS[word]
            if qualifier is base:
                base = ""
            continue
        unit = _unit(raw)
        if unit is not None:
            part.unit, part.unit_kind = unit
            if qualifier is base:
                base = ""
    if base:
        folded = fold(base)
        match = _SUFFIX_LANG.match(base.lower())
        if match and fold(match["base"]) in WORD_FIELD:      # title_en, summary-zh
            folded, part.lang = fold(match["base"]), LANGUAGE_WORDS[match["lang"]]
        for word, lang in LANGUAGE_WORDS.items():            # 英文名称, 项目名称英文
            if len(word) > 1 and not word.isascii() and word in folded and folded != word:
                stripped = folded.replace(word, "")
                if stripped in WORD_FIELD:
                    folded, part.lang = stripped, lang
                    break
        part.field = WORD_FIELD.get(folded)
    return part


def _unit(word: str) -> tuple[str, str] | None:
    """("亿元", "money") for a unit written alone; None when the word is not a unit."""
    if not word:
        return None
    word = _ENGLISH_UNITS.get(fold(word), word)
    if word in ("亿", "万", "億", "萬"):
        word += "元"
    if apply_unit("1", word, "money") is not None:
        return word, "money"
    if apply_unit("1", word, "area") is not None:
        return word, "area"
    return None


def apply_unit(number: str, unit: str, kind: str) -> str | None:
    """The number written with the unit (as it reads back), e.g. 3.5 + 亿元 → 3.5亿元."""
    parse = parse_money if kind == "money" else parse_area
    candidates = [f"{number}{unit}", f"{number} {unit}"]
    if unit[:1].isascii():                                      # 12.5 million usd, 3 ha
        candidates.reverse()
    words = unit.split()
    if len(words) == 2:                                         # "rmb million" → rmb 5 million
        candidates.append(f"{words[0]} {number} {words[1]}")
    for text in candidates:
        try:
            parse(text)
        except UnitError:
            continue
        return text
    return None


@dataclass
class Column:
    index: int
    header: str                  # as shown in reports: the header parts joined with " / "
    field: str | None            # a project field, or phone/longitude/latitude/row-number; None: not used
    lang: str | None = None
    unit: str | None = None
    note: str = ""               # why the column is not used
    guessed: bool = False        # the language was read from the cells, not the header


def read_header(parts_by_column: list[list[str]], languages: list[str], text_language=None) -> list[Column]:
    """Columns from the header texts of each column (top to bottom), duplicates noted.

    A text column whose header names no language is in the language its cells are written in
    (`text_language(index)`: "zh", "en" or None), else in the site's source language; columns
    that name their language are placed first, so 项目名称 beside 项目名称(英文) stays zh.
    """
    columns = []
    for index, parts in enumerate(parts_by_column):
        read = [read_part(p) for p in parts]
        fields = [p.field for p in read if p.field]
        column = Column(index, " / ".join(parts), fields[-1] if fields else None)
        column.lang = next((p.lang for p in read if p.lang), None)
        unit = next((p for p in read if p.unit), None)
        if column.field is None:
            column.note = "not a field yunzhao knows" if parts else "no header"
        if column.field in ("investment", "land") and unit is not None:
            wanted = "money" if column.field == "investment" else "area"
            if unit.unit_kind == wanted:
                column.unit = unit.unit
        columns.append(column)
    taken: dict[tuple, Column] = {}
    named = [c for c in columns if c.field in LOCALIZED and c.lang]
    for column in named + [c for c in columns if c not in named]:
        if column.field is None:
            continue
        if column.field in LOCALIZED:
            if column.lang is None:
                guess = text_language(column.index) if text_language else None
                free = [lang for lang in languages if (column.field, lang) not in taken]
                column.lang = guess if guess in free else (free[0] if free else languages[0])
                column.guessed = guess is not None and column.lang == guess and guess != languages[0]
            if column.lang not in languages:
                column.note = f"the site has no {column.lang} (languages: {', '.join(languages)})"
                column.field = None
                continue
        key = (column.field, column.lang if column.field in LOCALIZED else None)
        if key in taken:
            column.note = f"column {letter(taken[key].index)} is already read as {describe(taken[key])}"
            column.field = None
        else:
            taken[key] = column
    return columns


def letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index + 1)


def describe(column: Column) -> str:
    """How the mapping report names what a column became: title (en), investment in 亿元."""
    if column.field is None:
        return "not used"
    if column.field == "row-number":
        return "row numbers (not needed)"
    text = column.field
    if column.field in LOCALIZED:
        text += f" ({column.lang}, by its text)" if column.guessed else f" ({column.lang})"
    if column.unit:
        text += f", numbers in {column.unit}"
    if column.field in ("sector", "park", "contact"):
        text += " (by name or id)"
    if column.field == "phone":
        text = "contact's phone (finds the contact when no name is given)"
    return text
