"""The fixed words of a project (status, cooperation) as bureau staff write them in Chinese.

The YAML uses English ids (`under-construction`); sheets and reports use the Chinese words of
docs/content.md (在建). Reading also accepts the common variants found in bureau sheets.
"""

from __future__ import annotations

from .sitedata import fold

STATUS_ZH = {
    "seeking": "招商中",
    "negotiating": "洽谈中",
    "signed": "已签约",
    "under-construction": "在建",
    "operating": "已投产",
}

COOPERATION_ZH = {
    "sole-proprietorship": "独资",
    "joint-venture": "合资",
    "cooperation": "合作",
    "ppp": "PPP",
    "lease": "租赁",
}

_STATUS_WORDS = {
    "seeking": ["招商中", "招商", "待招商", "拟招商", "在谈前", "seeking", "seeking investors", "open"],
    "negotiating": ["洽谈中", "洽谈", "在谈", "正在洽谈", "谈判中", "对接中", "negotiating", "in negotiation"],
    "signed": ["已签约", "签约", "已签", "签约待建", "signed"],
    "under-construction": ["在建", "建设中", "在建中", "已开工", "开工建设", "施工中", "under-construction",
                           "under construction"],
    "operating": ["已投产", "投产", "建成投产", "已建成", "运营中", "已运营", "operating", "in operation"],
}

_COOPERATION_WORDS = {
    "sole-proprietorship": ["独资", "独资经营", "外商独资", "sole-proprietorship", "sole proprietorship",
                            "wholly owned", "wholly-owned"],
    "joint-venture": ["合资", "合资经营", "中外合资", "合资合作", "joint-venture", "joint venture", "jv"],
    "cooperation": ["合作", "合作经营", "股权合作", "合作开发", "cooperation", "cooperative"],
    "ppp": ["ppp", "ppp模式", "政府和社会资本合作"],
    "lease": ["租赁", "厂房租赁", "租用", "lease", "leasing", "rent"],
}


def _table(words: dict[str, list[str]]) -> dict[str, str]:
    return {fold(word): key for key, items in words.items() for word in items}


STATUS_BY_WORD = _table(_STATUS_WORDS)
COOPERATION_BY_WORD = _table(_COOPERATION_WORDS)
