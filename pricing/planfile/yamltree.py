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
    """Plain Python values built from YAML events (plan files: ``feed``) or composed nodes (catalog files, which
    may use anchors: ``build``), plus the line of every key path."""

    def __init__(self, file: str | None, *, allow_aliases: bool = False):
        self.file = file
        self.allow_aliases = allow_aliases
        """Catalog files share a source among entries with anchors (``&src`` / ``*src``); plan files may not.
        Each use of an alias still counts towards MAX_NODES, so a "billion laughs" is refused either way."""
        self._seen: set[int] = set()
        self._count = 0
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.key_order: dict[str, tuple[str, ...]] = {}
        self.value: Any = None
        self.documents = 0
        self._stack: list[_Frame] = []
        self._skipping = 0    # nodes still to pass over (a duplicate key's value, a key that is not text)
        self._skip_depth = 0  # collections open inside the node being passed over

    def feed(self, event: yaml.Event) -> None:
        """Build the document's value from its events, one by one (checked already: no alias, bounded depth).

        Built straight from libyaml's events rather than from composed nodes: composing made a node
        object per value and resolved every tag in Python, three times the cost of this. Values are
        what PyYAML's safe loader makes of each scalar (the same resolver and constructors); mappings
        and sequences are dicts and lists whatever their tags. Raises PlanFileError (merge keys, a
        second document) or ``yaml.YAMLError`` (a tag no safe constructor knows).
        """
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:  # what PyYAML's composer says of a second document
                raise PlanFileError(Problem("not valid YAML: but found another document",
                                            line=event.start_mark.line + 1, file=self.file))
            return
        if kind not in _NODE_EVENTS:
            return
        if self._skipping:
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._skip_depth += 1
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self._skip_depth -= 1
            if self._skip_depth == 0:
                self._skipping -= 1
            return
        stack = self._stack
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            if frame.keys is not None:
                self.key_order[frame.path] = tuple(frame.keys)
            value = frame.value
        else:
            line = event.start_mark.line + 1
            top = stack[-1] if stack else None
            if top is not None and top.keys is not None and top.key is None:  # a key of a mapping
                if kind is not yaml.ScalarEvent:
                    self.problems.append(Problem("a key must be plain text", top.path, line, self.file))
                    self._skipping, self._skip_depth = 2, 1  # the rest of this key, then its value
                    return
                key = str(event.value)
                if key == "<<":
                    raise PlanFileError(Problem("YAML merge keys (<<) are not supported in plan files",
                                                top.path, line, self.file))
                sub = f"{top.path}.{key}" if top.path else key
                if key in top.value:
                    self.problems.append(Problem(f"key {key!r} appears twice", sub, line, self.file))
                    self._skipping, self._skip_depth = 1, 0
                    return
                self.lines[sub] = line
                top.key, top.sub = key, sub
                return
            path = "" if top is None else (top.sub if top.keys is not None else f"{top.path}[{len(top.value)}]")
            self.lines.setdefault(path, line)
            if kind is not yaml.ScalarEvent:
                stack.append(_Frame(path, kind is yaml.MappingStartEvent))
                return
            value, problem = _scalar(event)
            if problem:
                self.problems.append(Problem(problem, path, line, self.file))
        if stack:  # the value is complete: into its parent
            top = stack[-1]
            if top.keys is not None:
                top.value[top.key] = value
                top.keys.append(top.key)
                top.key = None
            else:
                top.value.append(value)
        else:
            self.value = value

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
                    self.problems.append(Problem("a key must be plain text", path, key_node.start_mark.line + 1,
                                                 self.file))
                    continue
                key = str(loader.construct_scalar(key_node))
                if key == "<<":
                    raise PlanFileError(Problem("YAML merge keys (<<) are not supported in plan files",
                                                path, key_node.start_mark.line + 1, self.file))
                sub = f"{path}.{key}" if path else key
                if key in out:
                    self.problems.append(Problem(f"key {key!r} appears twice", sub, key_node.start_mark.line + 1,
                                                 self.file))
                    continue
                self.lines[sub] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, sub, depth + 1, loader)
                order.append(key)
            self.key_order[path] = tuple(order)
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
        return node.value, _tag_problem(tag)
    try:
        return construct(node), None
    except _BAD_SCALAR:  # e.g. 2027-02-30 read as a date, or !!bool maybe: let the field say what's wrong
        return node.value, None


def _tag_problem(tag: str) -> str:
    shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
    return f"the YAML tag {shorten(shown)} is not supported in plan files; write the value without it"


_NODE_EVENTS = frozenset({yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent,
                          yaml.SequenceStartEvent, yaml.SequenceEndEvent})


class _Frame:
    """A mapping or sequence being built: its key path, its value so far, and (mappings) the key awaiting a value."""

    __slots__ = ("path", "value", "keys", "key", "sub")

    def __init__(self, path: str, mapping: bool):
        self.path = path
        self.value: Any = {} if mapping else []
        self.keys: list[str] | None = [] if mapping else None
        self.key: str | None = None
        self.sub = ""


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


def _scalar(event: yaml.ScalarEvent) -> tuple[Any, str | None]:
    """(value, problem): what PyYAML's safe loader makes of a scalar, its tag resolved (plain ``12`` is an int,
    ``2027-01-05`` a date...), then constructed (``scalar_value``: a value its constructor rejects, 2027-02-30 or
    ``!!bool maybe``, stays text for the field to report; a tag no plan value has is a problem)."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value, None
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return scalar_value(node, lambda n: _CONSTRUCTOR.construct_object(n, deep=False))
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


_CLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser (PyYAML's pure-Python one took ~90% of loading a big plan); its events carry the
same marks, so every key path keeps its line. PyYAML built without libyaml falls back to pure Python."""


def _prescan(text: str, file: str | None, *, allow_aliases: bool = False) -> None:
    """Refuse deep nesting, aliases and huge documents from the event stream, before building anything.

    (Aliases let a few lines expand to billions of values; refusing a huge file costs a scan, not the
    building of its values.) libyaml's events are cheap: the file is parsed again to build it, and
    not kept meanwhile (200,000 event objects would keep the garbage collector busy).
    """
    depth = count = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            kind = type(event)
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                depth += 1
                if depth > MAX_DEPTH:
                    raise PlanFileError(Problem(f"nested deeper than {MAX_DEPTH} levels: not a plan file",
                                                line=event.start_mark.line + 1, file=file))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                depth -= 1
            elif kind is yaml.AliasEvent and not allow_aliases:
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
    """The document's value and the line of every key path: the events scanned for what is refused, then built."""
    _prescan(text, file)
    tree = _Tree(file)
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            tree.feed(event)
    except yaml.YAMLError as exc:  # one line, with its line number
        raise PlanFileError(_yaml_problem(exc, text, file)) from None
    if not tree.documents:
        raise PlanFileError(Problem("the file is empty; expected a plan (a YAML mapping with "
                                    "format, name, months...)", line=1, file=file))
    return tree.value, tree
