"""Write YAML the way staff write it by hand: short texts inline, long ones as blocks.

`yaml.safe_dump` would quote Chinese, wrap lines at odd places and sort nothing the way the
docs show; catalogues written by `yunzhao import` are read and edited by people afterwards,
so they should look like the demo. Every value is checked to read back as itself.
"""

from __future__ import annotations

import datetime as dt

import yaml

WIDTH = 100   # longer flow lines become blocks


def scalar(value, flow: bool = False) -> str:
    """One value as YAML text: plain where that reads back exactly, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text and "\n" not in text and _reads_back(text, flow):
        return text
    return yaml.safe_dump(text, allow_unicode=True, default_style='"', width=10**9).strip()


def _reads_back(text: str, flow: bool) -> bool:
    try:
        if flow:
            return yaml.safe_load(f"[{text}]") == [text] and yaml.safe_load(f"{{k: {text}}}") == {"k": text}
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


def _flow_list(items) -> str:
    return "[" + ", ".join(scalar(item, flow=True) for item in items) + "]"


def _literal(text: str) -> str | None:
    """The `|` block header for a multi-line text, or None when a block cannot hold it exactly."""
    lines = text.split("\n")
    first = next((line for line in lines if line), "")
    if (text.endswith("\n\n") or not text.strip() or first[:1] in (" ", "\t")
            or any(line != line.rstrip() for line in lines)
            or any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in text)):
        return None
    return "|" if text.endswith("\n") else "|-"


def value_lines(key: str, value, indent: int) -> list[str]:
    """`key: value` as one or more lines at `indent` spaces."""
    pad = " " * indent
    if isinstance(value, dict):
        flow = _flow_mapping(value)
        if flow is not None and len(pad) + len(key) + 2 + len(flow) <= WIDTH:
            return [f"{pad}{key}: {flow}"]
        lines = [f"{pad}{key}:"]
        for sub_key, sub_value in value.items():
            lines += value_lines(str(sub_key), sub_value, indent + 2)
        return lines
    if isinstance(value, list):
        flow = _flow_list(value)
        if "\n" not in flow and len(pad) + len(key) + 2 + len(flow) <= WIDTH:
            return [f"{pad}{key}: {flow}"]
        return [f"{pad}{key}:"] + [f"{pad}  - {scalar(item)}" for item in value]
    if isinstance(value, str) and "\n" in value:
        header = _literal(value)
        if header is not None:
            body = value[:-1] if value.endswith("\n") else value
            return [f"{pad}{key}: {header}"] + [f"{pad}  {line}" if line else "" for line in body.split("\n")]
    return [f"{pad}{key}: {scalar(value)}"]


def _flow_mapping(value: dict) -> str | None:
    parts = []
    for key, item in value.items():
        if isinstance(item, list):
            text = _flow_list(item)
        elif isinstance(item, dict):
            return None
        elif isinstance(item, str) and "\n" in item:
            return None      # multi-line texts read better as blocks
        else:
            text = scalar(item, flow=True)
        parts.append(f"{key}: {text}")
    return "{" + ", ".join(parts) + "}"


def list_item_lines(fields: dict, indent: int) -> list[str]:
    """A mapping as an item of a block list: `- first: value` then the other fields below it."""
    lines = []
    for key, value in fields.items():
        lines += value_lines(key, value, indent + 2)
    if lines:
        first = lines[0]
        lines[0] = " " * indent + "- " + first[indent + 2:]
    return lines


def localized_inline(texts: dict, languages: list[str]) -> str:
    """A localized value in the site's written languages, inline: plain when only one language.

    `texts` holds a text per language (zh, en); zh-Hant is derived, so it is never written.
    """
    written = [lang for lang in languages if lang in texts]
    if not written:
        raise ValueError(f"no text for any of {languages}")
    if len(written) == 1:
        value = texts[written[0]]
        return _flow_list(value) if isinstance(value, list) else scalar(value)
    return _flow_mapping({lang: texts[lang] for lang in written})
