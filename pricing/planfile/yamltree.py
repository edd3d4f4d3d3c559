"""Plan files, step one: YAML text to plain values with the line of every key path, refusing aliases."""
from __future__ import annotations

from typing import Any, Callable

import yaml

from pricing.errors import PlanFileError, Problem, shorten

MAX_BYTES = 5 * 1024 * 1024
"""Largest plan file we read (a plan is a few KB; anything this big is not a plan)."""
MAX_DEPTH = 32
"""Deepest nesting accepted (plans nest 4 levels)."""
MAX_NODES = 200_000
"""Most YAML nodes accepted in one file."""

# ---------------------------------------------------------------------------------------------
# Reading YAML with line numbers, refusing aliases (no "billion laughs")
# ---------------------------------------------------------------------------------------------


class _Tree:
    """Plain Python values built from YAML nodes, plus the line of every key path."""

    def __init__(self, file: str | None, *, allow_aliases: bool = False):
        self.file = file
        self.allow_aliases = allow_aliases
        """Catalog files share a source among entries with anchors (``&src`` / ``*src``); plan files may not.
        Each use of an alias still counts towards MAX_NODES, so a "billion laughs" is refused either way."""
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.key_order: dict[str, tuple[str, ...]] = {}
        self._seen: set[int] = set()
        self._count = 0

    def build(self, node: yaml.Node, path: str, depth: int, loader: yaml.SafeLoader) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            raise PlanFileError(Problem(f"more than {MAX_NODES} YAML values: not a plan file",
                                        line=node.start_mark.line + 1, file=self.file))
        if depth > MAX_DEPTH:
            raise PlanFileError(Problem(f"nested deeper than {MAX_DEPTH} levels: not a plan file",
                                        path, node.start_mark.line + 1, self.file))
        if id(node) in self._seen and not self.allow_aliases:
            raise PlanFileError(Problem("YAML aliases (*name) are not supported in plan files; "
                                        "write the value out", path, node.start_mark.line + 1, self.file))
        self._seen.add(id(node))
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            order = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem("a key must be plain text", path, key_node.start_mark.line + 1, self.file))
                    continue
                key = str(loader.construct_scalar(key_node))
                if key == "<<":
                    raise PlanFileError(Problem("YAML merge keys (<<) are not supported in plan files",
                                                path, key_node.start_mark.line + 1, self.file))
                sub = f"{path}.{key}" if path else key
                if key in out:
                    self.problems.append(Problem(f"key {key!r} appears twice", sub, key_node.start_mark.line + 1, self.file))
                    continue
                self.lines[sub] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, sub, depth + 1, loader)
                order.append(key)
            self.key_order[_pattern(path)] = tuple(order)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, f"{path}[{i}]", depth + 1, loader) for i, v in enumerate(node.value)]
        value, problem = scalar_value(node, lambda n: loader.construct_object(n, deep=False))
        if problem:
            self.problems.append(Problem(problem, path, node.start_mark.line + 1, self.file))
        return value


_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str", "timestamp"))
"""The scalar tags a plan or catalog value may have (written or resolved): YAML's core schema, as the safe loader
knows them. ``!!binary`` (the name became ``b'hello'``), ``!!python/...`` and local tags are refused."""
_BAD_SCALAR = (ValueError, OverflowError, ArithmeticError, LookupError, TypeError, AttributeError, yaml.YAMLError)
"""What PyYAML's scalar constructors raise on a value their tag can't hold (``!!bool maybe``: KeyError, ``!!int ""``:
IndexError, a date of 2027-02-30: ValueError, an int past 4,300 digits: ValueError)."""


def scalar_value(node: yaml.ScalarNode, construct: Callable[[yaml.ScalarNode], Any]) -> tuple[Any, str | None]:
    """(value, problem) of a scalar: what the safe loader makes of it (``construct``), or its text when the tag
    can't hold it (the field reading it says what is wrong with the text: ``found 'maybe', expected a number``);
    a problem (one line) for a tag no plan value has."""
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
        return node.value, f"the YAML tag {shorten(shown)} is not supported in plan files; write the value without it"
    try:
        return construct(node), None
    except _BAD_SCALAR:  # e.g. 2027-02-30 read as a date, or !!bool maybe: let the field say what's wrong
        return node.value, None


def _pattern(path: str) -> str:
    """Key path with list indexes kept (key order is remembered per line)."""
    return path


_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _prescan(text: str, file: str | None, *, allow_aliases: bool = False) -> None:
    """Refuse deep nesting, aliases and huge documents from the event stream, before building anything.

    (PyYAML composes nodes recursively, so a file of 5,000 nested brackets would exhaust the stack,
    and aliases let a few lines expand to billions of values.)
    """
    depth = count = 0
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise PlanFileError(Problem(f"nested deeper than {MAX_DEPTH} levels: not a plan file",
                                                line=event.start_mark.line + 1, file=file))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent) and not allow_aliases:
                raise PlanFileError(Problem("YAML aliases (*name) are not supported in plan files; "
                                            "write the value out", line=event.start_mark.line + 1, file=file))
            count += 1
            if count > MAX_NODES:
                raise PlanFileError(Problem(f"more than {MAX_NODES} YAML values: not a plan file",
                                            line=event.start_mark.line + 1, file=file))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or exc.context)
        if "nesting depth" in problem:
            problem = f"nested deeper than {MAX_DEPTH} levels: not a plan file"
        else:
            problem = f"not valid YAML: {problem}"
        raise PlanFileError(Problem(problem, line=mark.line + 1 if mark else None, file=file)) from None
    except yaml.YAMLError as exc:
        raise PlanFileError(_yaml_problem(exc, text, file)) from None


def _yaml_problem(exc: yaml.YAMLError, text: str, file: str | None) -> Problem:
    """A YAML error that carries no mark (a character YAML refuses: its position) as one line with its line."""
    position = getattr(exc, "position", None)
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(position, int):
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Problem(f"not valid YAML: the character U+{ord(char):04X} is not allowed ({exc.reason})",
                       line=text.count("\n", 0, position) + 1, file=file)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    reason = getattr(exc, "problem", None) or getattr(exc, "context", None) or exc
    return Problem(f"not valid YAML: {reason}", line=mark.line + 1 if mark else 1, file=file)


def _parse_yaml(text: str, file: str | None) -> tuple[Any, _Tree]:
    tree = _Tree(file)
    _prescan(text, file)
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise PlanFileError(Problem(f"not valid YAML: {exc.problem or exc.context}", line=line, file=file)) from None
    except yaml.YAMLError as exc:
        raise PlanFileError(_yaml_problem(exc, text, file)) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise PlanFileError(Problem("the file is empty; expected a plan (a YAML mapping with "
                                    "format, name, months...)", line=1, file=file))
    try:
        value = tree.build(node, "", 0, loader)
    except yaml.YAMLError as exc:
        raise PlanFileError(_yaml_problem(exc, text, file)) from None
    return value, tree
