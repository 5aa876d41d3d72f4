"""A tiny, sandboxed placeholder language for mail and letter templates.

    {{ kontakt.briefanrede }}                  a field from the catalogue (placeholders.py)
    {% if links.dokumente %} … {% else %} … {% endif %}   optional text, only on a catalogue field

Nothing else exists: no attribute access, no filters, no other tags, no code. The template is
parsed into nodes by our own tokenizer; a name that is not in the catalogue, a tag we do not know
or an unclosed block is a `TemplateSyntaxError` with line and reason, so the editor shows it and
a mail is never sent with a silent blank. Values are plain strings computed by whitelisted
resolver functions, only for the fields the template uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

TOKEN_RE = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


@dataclass
class TemplateSyntaxError(Exception):
    """What is wrong, and where (1-based line)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass
class Text:
    text: str


@dataclass
class Var:
    name: str
    line: int


@dataclass
class If:
    name: str
    line: int
    then: list[Node] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


Node = Text | Var | If


def _line_of(source: str, pos: int) -> int:
    return source.count("\n", 0, pos) + 1


def parse(source: str, known: Iterable[str]) -> list[Node]:
    """Parse `source` into nodes; every name must be in `known`. Raises `TemplateSyntaxError`."""
    known_names = set(known)
    root: list[Node] = []
    stack: list[tuple[If, list[Node]]] = []  # open ifs and the list we are filling
    current = root
    pos = 0
    for match in TOKEN_RE.finditer(source):
        if match.start() > pos:
            _text(source, pos, match.start(), current)
        token = match.group(0)
        line = _line_of(source, match.start())
        inner = token[2:-2].strip()
        if token.startswith("{#"):
            pass  # a comment, never rendered
        elif token.startswith("{{"):
            current.append(Var(_check_name(inner, known_names, line), line))
        else:
            words = inner.split()
            tag = words[0] if words else ""
            if tag == "if" and len(words) == 2:
                node = If(_check_name(words[1], known_names, line), line)
                current.append(node)
                stack.append((node, current))
                current = node.then
            elif tag == "if":
                raise TemplateSyntaxError(
                    line, _("“if” takes exactly one field, e.g. {% if links.dokumente %}.")
                )
            elif tag == "else" and len(words) == 1:
                if not stack or current is stack[-1][0].otherwise:
                    raise TemplateSyntaxError(line, _("“else” without an open “if”."))
                current = stack[-1][0].otherwise
            elif tag == "endif" and len(words) == 1:
                if not stack:
                    raise TemplateSyntaxError(line, _("“endif” without an open “if”."))
                _node, current = stack.pop()
            else:
                raise TemplateSyntaxError(
                    line,
                    _("Unknown instruction “%(tag)s”. Only if, else and endif are allowed.")
                    % {"tag": inner[:40]},
                )
        pos = match.end()
    if pos < len(source):
        _text(source, pos, len(source), current)
    if stack:
        raise TemplateSyntaxError(stack[-1][0].line, _("“if” is not closed with “endif”."))
    return root


def _text(source: str, start: int, end: int, current: list[Node]) -> None:
    chunk = source[start:end]
    for opener in ("{{", "{%", "}}", "%}"):
        idx = chunk.find(opener)
        if idx >= 0:
            raise TemplateSyntaxError(
                _line_of(source, start + idx),
                _("Unclosed or stray “%(token)s”. Placeholders look like {{ kontakt.briefanrede }}.")
                % {"token": opener},
            )
    current.append(Text(chunk))


def _check_name(name: str, known: set[str], line: int) -> str:
    if not name:
        raise TemplateSyntaxError(line, _("Empty placeholder."))
    if not NAME_RE.match(name):
        raise TemplateSyntaxError(
            line,
            _(
                "“%(name)s” is not a placeholder. Use a field from the catalogue, e.g. {{ kontakt.briefanrede }}."  # noqa: E501
            )
            % {"name": name[:60]},
        )
    if name not in known:
        raise TemplateSyntaxError(line, _("Unknown field “%(name)s”.") % {"name": name})
    return name


def names_used(nodes: list[Node]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Var):
            found.add(node.name)
        elif isinstance(node, If):
            found.add(node.name)
            found |= names_used(node.then) | names_used(node.otherwise)
    return found


def render(
    nodes: list[Node],
    value: Callable[[str], str],
    condition: Callable[[str], str] | None = None,
    escape: Callable[[str], str] | None = None,
) -> str:
    """Render parsed nodes. `value(name)` gives a field's text (only called for fields actually
    reached, so a field inside a false `if` is never looked up); `condition(name)` the text an
    `if` tests (defaults to `value`). Template text and values pass through `escape`."""
    cond = condition or value
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(escape(node.text) if escape else node.text)
        elif isinstance(node, Var):
            text = value(node.name)
            out.append(escape(text) if escape else text)
        else:
            out.append(render(node.then if cond(node.name) else node.otherwise, value, condition, escape))
    return "".join(out)
