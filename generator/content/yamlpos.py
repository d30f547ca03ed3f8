"""YAML that remembers where each value was written.

Staff need `file:line` in every message, so instead of `yaml.safe_load` we compose the node
tree and build plain Python values ourselves: mappings become `PosDict` and sequences
`PosList`, which carry the line of the mapping itself and of each key or item. Scalars are
constructed by PyYAML's safe constructor, so `2024-03-31` is a date and `5` an int, as usual.

Aliases are expanded by hand with a budget, so a "billion laughs" file is refused in bounded
time and memory instead of exhausting the machine.
"""

from __future__ import annotations

import yaml

# More nodes than any hand-written catalogue has (a 10,000-project file has ~300,000);
# an alias bomb passes it within milliseconds.
MAX_NODES = 2_000_000


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
    try:
        node = _compose(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        # libyaml composes ten times faster, but pure Python says more about what is wrong
        # (which character, which token): a file with a mistake is read again to explain it.
        try:
            node = _compose(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            raise _friendly(exc, text, offset) from None
        except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors in practice
            raise YamlError(first_line, f"cannot read this YAML: {exc}") from None
    if node is None:
        return None
    budget = [MAX_NODES]
    constructor = yaml.SafeLoader("")
    return _build(node, constructor, offset, budget)


def _compose(text: str, loader_class):
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _build(node, constructor, offset, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(node.start_mark.line + 1 + offset,
                        "this file expands to too many values (YAML aliases used as a bomb?); "
                        "write the values out instead of repeating aliases")
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        result = PosDict()
        result.line = line
        constructor.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_node.start_mark.line + 1 + offset, "a key must be a plain name")
            key = constructor.construct_object(key_node)
            if isinstance(key, (list, dict)):
                raise YamlError(key_node.start_mark.line + 1 + offset, "a key must be a plain name")
            key_line = key_node.start_mark.line + 1 + offset
            if key in result:
                raise YamlError(key_line, f'"{key}" is written twice in this mapping '
                                          f"(first on line {result.key_lines[key]}); keep one")
            result[key] = _build(value_node, constructor, offset, budget)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        result = PosList()
        result.line = line
        for item in node.value:
            result.append(_build(item, constructor, offset, budget))
            result.item_lines.append(item.start_mark.line + 1 + offset)
        return result
    try:
        return constructor.construct_object(node)
    except yaml.constructor.ConstructorError as exc:
        raise YamlError(line, f"cannot read this value: {exc.problem}") from None
    except ValueError:
        # e.g. a date like 2024-13-45: PyYAML recognises the shape but cannot build it
        raise YamlError(line, f'cannot read "{node.value}"; write a date as YYYY-MM-DD') from None


def _friendly(exc: yaml.MarkedYAMLError, text: str, offset: int) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 if mark else 1) + offset
    problem = exc.problem or "cannot read this YAML"
    lines = text.split("\n")
    # PyYAML points a tab at the token after it; find the real tab-indented line.
    if "'\\t'" in problem or "\t" in problem:
        for number, content in enumerate(lines, start=1):
            if content[: len(content) - len(content.lstrip(" \t"))].find("\t") >= 0:
                return YamlError(number + offset, "indented with a tab; YAML needs spaces for indentation")
        return YamlError(line, "contains a tab where YAML expects spaces; use spaces")
    if "mapping values are not allowed" in problem:
        return YamlError(line, "a value contains \": \" (colon and space); put the whole value in quotes")
    if "could not find expected ':'" in problem:
        return YamlError(line, "expected \"field: value\" here; check for a missing colon")
    if "found unhashable key" in problem:
        return YamlError(line, "a key must be a plain name")
    hint = f" ({exc.context})" if exc.context else ""
    return YamlError(line, f"cannot read this YAML: {problem}{hint}; check the indentation and quotes")
