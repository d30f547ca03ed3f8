"""YAML that remembers where each value was written.

Staff need `file:line` in every message, so instead of `yaml.safe_load` we compose the node
tree and build plain Python values ourselves: mappings become `PosDict` and sequences
`PosList`, which carry the line of the mapping itself and of each key or item. Scalars are
constructed by PyYAML's safe constructor, so `2024-03-31` is a date and `5` an int, as usual.

Aliases are expanded by hand with a budget, so a "billion laughs" file is refused in bounded
time and memory instead of exhausting the machine.
"""

from __future__ import annotations

import re
import sys

import yaml

# Aliases may repeat values, but only so much: a file may expand to at most one value per
# character of its text plus this many (`<<: *defaults` in 1,000 projects needs ~20,000).
# An alias bomb reaches the limit within milliseconds and a few megabytes.
MAX_ALIAS_VALUES = 100_000
# Deeper than any content format needs; deeper nesting (or an alias that contains itself)
# would otherwise exhaust Python's stack.
MAX_DEPTH = 60


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class PosDict(dict):
    """A mapping with `line` (where it starts) and `key_lines[key]` (where each key is)."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict = {}

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class PosList(list):
    """A sequence with `line` and `item_lines[i]`."""

    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def decode(data: bytes) -> str:
    """UTF-8 text with a BOM and CRLF line endings accepted quietly; raises UnicodeDecodeError."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str, first_line: int = 1):
    """Parse one YAML document; `first_line` shifts lines (front matter starts after `---`)."""
    offset = first_line - 1
    # libyaml recurses in C without a limit: [[[[… 50,000 deep crashes the process. Text that
    # nests brackets deeper than any content needs goes to the pure-Python composer, whose
    # recursion stops with an error we can report.
    fast = getattr(yaml, "CSafeLoader", None) if _bracket_depth(text) <= MAX_DEPTH else None
    try:
        node = _compose(text, fast or yaml.SafeLoader)
    except yaml.YAMLError:
        # libyaml composes ten times faster, but pure Python says more about what is wrong
        # (which character, which token): a file with a mistake is read again to explain it.
        try:
            node = _compose(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            raise _friendly(exc, text, offset) from None
        except yaml.reader.ReaderError as exc:
            raise _unreadable_character(exc, text, offset) from None
        except RecursionError:
            raise YamlError(first_line, _TOO_DEEP) from None
        except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises the errors above in practice
            raise YamlError(first_line, f"cannot read this YAML: {exc}") from None
    except RecursionError:
        raise YamlError(first_line, _TOO_DEEP) from None
    if node is None:
        return None
    builder = _Builder(offset, budget=len(text) + MAX_ALIAS_VALUES)
    return builder.build(node, depth=0, where=builder.line(node))


def _bracket_depth(text: str) -> int:
    """How deep [ and { nest, counting brackets in quoted text too (an overestimate is harmless)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


_BRACKET = re.compile(r"[\[\]{}]")


def _compose(text: str, loader_class):
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_TOO_DEEP = (f"values are nested more than {MAX_DEPTH} levels deep (or an alias contains itself); "
             "write the values out plainly")


_BOMB = ("this file expands to too many values (YAML aliases used as a bomb?); "
         "write the values out instead of repeating aliases")


class _MergeCounting(yaml.SafeLoader):
    """PyYAML's constructor, with `<<:` merges counted against the budget before they are made:
    merging ten aliases of a merge of ten aliases… would otherwise build lists past any memory."""

    builder: "_Builder"

    def flatten_mapping(self, node):
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = [value_node] if isinstance(value_node, yaml.MappingNode) else \
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else []
                for sub in merged:
                    if isinstance(sub, yaml.MappingNode):
                        self.flatten_mapping(sub)
                        self.builder.spend(len(sub.value), self.builder.line(key_node))
        super().flatten_mapping(node)


_STR = "tag:yaml.org,2002:str"
# Keys that make PyYAML's flatten_mapping change a mapping: `<<:` merges and `=` value keys.
_FLATTENED = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


class _Builder:
    """Turns composed nodes into PosDict / PosList / plain values, counting every value made.

    This walks every node of every content file, so the common cases (text, keys without
    merges) take the shortest path; `line`, `spend` and `scalar` are written out inline there.
    """

    def __init__(self, offset: int, budget: int):
        self.offset = offset
        self.budget = budget
        self.seen: set[int] = set()    # nodes built once already: meeting one again means an alias
        # The keys each merging mapping wrote itself, taken before its first merge: an alias
        # builds the mapping again from the merged node, and must tell them apart the same way.
        self.written: dict[int, set[int]] = {}
        self.constructor = _MergeCounting("")
        self.constructor.builder = self

    def line(self, node) -> int:
        return node.start_mark.line + 1 + self.offset

    def spend(self, values: int, where: int) -> None:
        self.budget -= values
        if self.budget < 0:
            raise YamlError(where, _BOMB)

    def build(self, node, depth: int, where: int):
        """`where` is the line of the nearest value written out rather than reached through an
        alias (an alias points back at its anchor): the line to blame when aliases explode."""
        self.budget -= 1
        if self.budget < 0:
            raise YamlError(where, _BOMB)
        if depth > MAX_DEPTH:
            raise YamlError(where, _TOO_DEEP)
        if node.__class__ is yaml.ScalarNode:
            # Text (most values) is the node's own string, as PyYAML's constructor returns it.
            return node.value if node.tag == _STR else self.scalar(node)
        if id(node) not in self.seen:
            self.seen.add(id(node))
            where = node.start_mark.line + 1 + self.offset
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth, where)
        if isinstance(node, yaml.SequenceNode):
            offset = self.offset
            result = PosList()
            result.line = node.start_mark.line + 1 + offset
            lines = result.item_lines
            for item in node.value:
                result.append(self.build(item, depth + 1, where))
                lines.append(item.start_mark.line + 1 + offset)
            return result
        return self.scalar(node)

    def mapping(self, node, depth: int, where: int) -> PosDict:
        offset = self.offset
        result = PosDict()
        result.line = node.start_mark.line + 1 + offset
        written_here = self.written.get(id(node))
        if written_here is None and any(key.tag in _FLATTENED for key, _ in node.value):
            written_here = self.written[id(node)] = {id(key) for key, _ in node.value}
            try:
                self.constructor.flatten_mapping(node)    # `<<: *defaults` merges
            except RecursionError:
                raise YamlError(result.line, _TOO_DEEP) from None
            except yaml.constructor.ConstructorError as exc:
                mark = exc.problem_mark or node.start_mark
                raise YamlError(mark.line + 1 + offset, '"<<:" merges fields: write a mapping after it, '
                                "e.g. <<: *defaults") from None
        merged: set = set()
        key_lines = result.key_lines
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_line, "a key must be a plain name")
            # Interned: the same few field names recur in every item, and a cached parse
            # (file_cache.py) then stores each name once.
            key = sys.intern(key_node.value) if key_node.tag == _STR else self.scalar(key_node)
            if key in result and key not in merged:
                raise YamlError(key_line, f'"{key}" is written twice in this mapping '
                                          f"(first on line {key_lines[key]}); keep one")
            if written_here is not None:
                merged.discard(key)
                if id(key_node) not in written_here:
                    merged.add(key)    # merged from an anchor: a key written in the mapping itself wins
            result[key] = self.build(value_node, depth + 1, where)
            key_lines[key] = key_line
        return result

    def scalar(self, node):
        try:
            return self.constructor.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise YamlError(self.line(node), f"cannot read this value: {exc.problem}") from None
        except ValueError:
            # e.g. a date like 2024-13-45: PyYAML recognises the shape but cannot build it
            raise YamlError(self.line(node), f'cannot read "{node.value}"; write a date as YYYY-MM-DD') from None


def _friendly(exc: yaml.MarkedYAMLError, text: str, offset: int) -> YamlError:
    """PyYAML's parser jargon turned into what staff did and what to do, at the line they did it."""
    problem = exc.problem or "cannot read this YAML"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 if mark else 1) + offset
    # Where the trouble started (an opened quote or bracket, a line without its colon).
    began = (exc.context_mark.line + 1 + offset) if exc.context_mark else line
    lines = text.split("\n")
    # PyYAML points a tab at the token after it; find the real tab-indented line.
    if "'\\t'" in problem or "\t" in problem:
        for number, content in enumerate(lines, start=1):
            if content[: len(content) - len(content.lstrip(" \t"))].find("\t") >= 0:
                return YamlError(number + offset, "indented with a tab; YAML needs spaces for indentation")
        return YamlError(line, "contains a tab where YAML expects spaces; use spaces")
    if "quoted scalar" in context:
        if "escape" in problem:
            return YamlError(line, 'a backslash (\\) inside "double quotes" starts an escape like \\n; '
                                   "write \\\\ for a backslash, or use 'single quotes'")
        return YamlError(began, "a quote opened on this line is never closed; add the closing quote "
                                "(or leave the quotes out)")
    for opener, closer, what in (("[", "]", "flow sequence"), ("{", "}", "flow mapping")):
        if what in context:
            return YamlError(began, f'the "{opener}" opened on this line is not closed (reading stopped at line '
                                    f'{line}); close it with "{closer}"')
    if "mapping values are not allowed" in problem:
        return YamlError(line, "a value contains \": \" (colon and space); put the whole value in quotes")
    if "could not find expected ':'" in problem:
        return YamlError(began, "expected \"field: value\" here; check for a missing colon after the field name")
    if "found unhashable key" in problem:
        return YamlError(line, "a key must be a plain name")
    if "that cannot start any token" in problem:
        character = problem.split("'")[1] if problem.count("'") >= 2 else "this character"
        return YamlError(line, f'a value cannot start with "{character}"; put the whole value in quotes')
    if "found another document" in problem:
        return YamlError(line, 'a second document starts at this "---" line; a file holds one set of fields: '
                               "remove the line or move what follows into a file of its own")
    if "found undefined alias" in problem:
        name = problem.split("'")[1] if problem.count("'") >= 2 else ""
        return YamlError(line, f'"*{name}" repeats a value marked "&{name}", but there is none above it; '
                               "write the value out")
    if "expected <block end>" in problem or "expected '<document start>'" in problem:
        found = problem.rsplit("found ", 1)[-1].strip("'")
        if found in ("]", "}"):
            return YamlError(line, f'this "{found}" closes nothing; check that brackets come in pairs')
        if found == "<scalar>":
            return YamlError(line, "there is more text after the value on this line; put the whole value "
                                   "in quotes")
        return YamlError(line, "this line is indented differently from the lines above it; the fields of one "
                               "item must start in the same column")
    hint = f" ({context})" if context else ""
    return YamlError(line, f"cannot read this YAML: {problem}{hint}; check the indentation and quotes")


def _unreadable_character(exc: yaml.reader.ReaderError, text: str, offset: int) -> YamlError:
    """A control character (pasted from Word or Excel, or a stray NUL) that YAML refuses."""
    line = text[: exc.position].count("\n") + 1 + offset
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return YamlError(line, f"contains an invisible control character (U+{code:04X}), often pasted from Word "
                           "or Excel; delete it")
