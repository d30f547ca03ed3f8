"""YAML that remembers where each value was written.

Staff need `file:line` in every message, so instead of `yaml.safe_load` we compose the node
tree and build plain Python values ourselves: mappings become `PosDict` and sequences
`PosList`, which carry the line of the mapping itself and of each key or item. Scalars are
constructed by PyYAML's safe constructor, so `2024-03-31` is a date and `5` an int, as usual.

Aliases are expanded by hand with a budget, so a "billion laughs" file is refused in bounded
time and memory instead of exhausting the machine.
"""

from __future__ import annotations

import functools
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


class ParseInfo:
    """What a parse saw besides the values: enough to tell whether the items of a long list can
    later be read again one by one (see `split_items`)."""

    def __init__(self):
        self.aliases = False     # some value was reached through an alias (*name): it was written elsewhere
        self.spent = 0           # values made: what the alias budget was charged
        self.libyaml = False     # composed by libyaml (else by PyYAML's own Python composer)
        # The values made for each item of every list that is a value of the top-level mapping,
        # by its key (reading items apart, `parse_items`: of the list itself, under None).
        self.item_costs: dict = {}


def parse(text: str, first_line: int = 1, info: ParseInfo | None = None):
    """Parse one YAML document; `first_line` shifts lines (front matter starts after `---`).
    `info`, when given, hears what `ParseInfo` records."""
    return _parse(text, first_line, info, depth=0)


def parse_items(text: str, first_line: int, info: ParseInfo):
    """Parse items of a top-level list read apart from their text (`split_items`), by libyaml:
    the same values, lines and nesting limit as in their place, where the list is one level
    down. Raises YamlError for any mistake, without explaining it: read the whole text for that
    (and when the whole text would not be read by libyaml: its brackets nest too deep,
    see `bracket_depth`)."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise YamlError(first_line, "cannot read items apart without libyaml")
    try:
        node = _compose(text, loader)
    except yaml.YAMLError:
        raise YamlError(first_line, "cannot read these items apart") from None
    info.libyaml = True
    return _build(node, text, first_line - 1, info, depth=1)


def _parse(text: str, first_line: int, info: ParseInfo | None, depth: int):
    offset = first_line - 1
    # libyaml recurses in C without a limit: [[[[… 50,000 deep crashes the process. Text that
    # nests brackets deeper than any content needs goes to the pure-Python composer, whose
    # recursion stops with an error we can report.
    fast = getattr(yaml, "CSafeLoader", None) if bracket_depth([brackets(text)]) <= MAX_DEPTH else None
    try:
        node = _compose(text, fast or yaml.SafeLoader)
        if info is not None:
            info.libyaml = fast is not None
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
    return _build(node, text, offset, info, depth)


def _build(node, text: str, offset: int, info: ParseInfo | None, depth: int):
    if node is None:
        return None
    budget = len(text) + MAX_ALIAS_VALUES
    builder = _Builder(offset, budget, info)
    data = builder.build(node, depth=depth, where=builder.line(node))
    if info is not None:
        info.spent = budget - builder.budget
        costs = builder.item_costs
        if depth == 1:
            info.item_costs = {None: costs[id(data)]} if id(data) in costs else {}
        elif isinstance(data, dict):
            info.item_costs = {key: costs[id(value)] for key, value in data.items() if id(value) in costs}
    return data


class Items:
    """A YAML file's bytes cut into its head and the items of the list under one top-level key."""

    def __init__(self, data: bytes, key_line: int, starts: list[int], offsets: list[int]):
        self.data = data
        self.key_line = key_line    # the line of `key:`
        self.starts = starts        # the line each item starts on (its "- ")
        self.offsets = offsets      # where each item's bytes start; each runs to the next one or the end
        self.head = memoryview(data)[:offsets[0]]    # everything before the first item

    def __len__(self) -> int:
        return len(self.starts)

    def item(self, index: int) -> memoryview:
        """The bytes of an item: its lines up to the next item (or the end)."""
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else len(self.data)
        return memoryview(self.data)[self.offsets[index]:end]

    def agree(self, data, key: str, info: ParseInfo) -> bool:
        """Whether the whole file, parsed with `info`, read these items just as they were cut:
        the list under `key` has one item per cut, each starting within its own lines, and no
        value is an alias (which would make an item depend on another part of the file)."""
        if info.aliases or not isinstance(data, PosDict) or data.key_lines.get(key) != self.key_line:
            return False
        values = data.get(key)
        if not isinstance(values, PosList) or len(values) != len(self.starts) or key not in info.item_costs:
            return False
        bounds = self.starts[1:] + [float("inf")]
        return all(start <= line < bound for start, line, bound in zip(self.starts, values.item_lines, bounds))


# What `decode` changes (CR line ends, a byte order mark), line breaks to YAML that a search for
# b"\n" does not see, and directives (`%TAG` would change what tags mean).
_NOT_CUT = [b"\r", *(mark.encode() for mark in ("\x85", "\u2028", "\u2029", "\ufeff")), b"\n%"]


def plain_lines(data) -> bool:
    """Whether YAML sees the lines of these UTF-8 bytes where b"\n" cuts them, with nothing
    before them that changes how they read: no CR, byte order mark or other line break, no
    directive. (rfind: several times faster than `in` on Chinese UTF-8.)"""
    return data[:1] != b"%" and all(data.rfind(mark) < 0 for mark in _NOT_CUT)


_NOTHING_AFTER_KEY = re.compile(rb"(?:[ \t]+(?:#.*)?)?")
_SIGNIFICANT = re.compile(rb"\n( *)(?=[^ \n#])")     # a line that is not blank or a comment


@functools.lru_cache(maxsize=16)
def _significant_up_to(column: int) -> re.Pattern:
    """Lines that are not blank or a comment and start at or left of `column`."""
    return re.compile(rb"\n( {0,%d})(?=[^ \n#])" % column)


def split_items(data: bytes, key: str) -> Items | None:
    """A YAML file's bytes cut into its head and the items of the block list under the
    top-level `key:`, when it is written so that each item reads the same apart from the file
    as in its place.

    That is: `key:` alone on its line at the left margin (a comment may follow), then the list
    to the end of the file: every line at or left of the items' dash is a new item ("- " at
    the same column), a comment or blank. Inside that, every line is indented further, so
    whatever it holds (block text, quotes, brackets) belongs to the item above it and cannot
    reach into another; what the parse made of the whole file must still be checked
    (`Items.agree`), and an item read apart must not use an alias. None for any other shape.

    The lines are cut at b"\n": the caller checks `plain_lines` of the whole file, or of every
    part not known to be plain (equal to a part that was).
    """
    mark = key.encode() + b":"
    if data.startswith(mark):
        at = 0
    else:
        at = data.find(b"\n" + mark) + 1
        if at == 0:
            return None
    end = data.find(b"\n", at)
    if end < 0 or not _NOTHING_AFTER_KEY.fullmatch(data, at + len(mark), end):
        return None
    first = _SIGNIFICANT.search(data, end)
    if first is None:
        return None
    column = len(first.group(1))
    offsets = []
    for match in _significant_up_to(column).finditer(data, end):
        dash = match.end()
        if dash - match.start() - 1 != column or data[dash:dash + 1] != b"-" \
                or data[dash + 1:dash + 2] not in (b"", b" ", b"\t", b"\n"):
            return None
        offsets.append(match.start() + 1)
    key_line = data.count(b"\n", 0, at) + 1
    line = key_line + data.count(b"\n", at, offsets[0])
    starts = [line]
    for before, offset in zip(offsets, offsets[1:]):
        line += data.count(b"\n", before, offset)
        starts.append(line)
    return Items(data, key_line, starts, offsets)


def brackets(text) -> tuple[int, int, int, int]:
    """How [ and { nest in a text or its UTF-8 bytes (counting brackets in quoted text too: an
    overestimate is harmless), in a form that texts joined end to end can be told from
    (`bracket_depth`): (opened minus closed, the most that was ahead at any point, the depth at
    the end and the deepest depth when starting at depth 0; a depth never goes below 0)."""
    total = ahead = depth = deepest = 0
    pattern, openers = (_BRACKET, "[{") if isinstance(text, str) else (_BRACKET_BYTE, b"[{")
    for match in pattern.finditer(text):
        if match.group() in openers:
            total += 1
            depth += 1
            ahead = max(ahead, total)
            deepest = max(deepest, depth)
        else:
            total -= 1
            depth = max(depth - 1, 0)
    return total, ahead, depth, deepest


def bracket_depth(parts) -> int:
    """How deep brackets nest in the texts of `parts` (their `brackets`) joined in order."""
    depth = deepest = 0
    for total, ahead, end, deepest_alone in parts:
        # Starting deeper only adds to what was ahead; closing more than was opened stops at 0.
        deepest = max(deepest, depth + ahead, deepest_alone)
        depth = max(depth + total, end)
    return deepest


_BRACKET = re.compile(r"[\[\]{}]")
_BRACKET_BYTE = re.compile(rb"[\[\]{}]")


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

    def __init__(self, offset: int, budget: int, info: ParseInfo | None = None):
        self.offset = offset
        self.budget = budget
        self.info = info
        self.seen: set[int] = set()    # nodes built once already: meeting one again means an alias
        # Text met once already, when aliases are looked for (`info`): a scalar alias is the same node.
        self.scalars: set[int] | None = set() if info is not None else None
        self.item_costs: dict[int, list[int]] = {}     # id(list at depth 1) → values made per item
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
            if self.scalars is not None:
                if id(node) in self.scalars:
                    self.info.aliases = True
                self.scalars.add(id(node))
            # Text (most values) is the node's own string, as PyYAML's constructor returns it.
            return node.value if node.tag == _STR else self.scalar(node)
        if id(node) not in self.seen:
            self.seen.add(id(node))
            where = node.start_mark.line + 1 + self.offset
        elif self.info is not None:
            self.info.aliases = True
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth, where)
        if isinstance(node, yaml.SequenceNode):
            offset = self.offset
            result = PosList()
            result.line = node.start_mark.line + 1 + offset
            lines = result.item_lines
            if depth == 1 and self.info is not None:
                costs = self.item_costs[id(result)] = []
                for item in node.value:
                    before = self.budget
                    result.append(self.build(item, depth + 1, where))
                    lines.append(item.start_mark.line + 1 + offset)
                    costs.append(before - self.budget)
                return result
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
