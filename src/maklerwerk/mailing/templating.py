"""A tiny, sandboxed placeholder language for mail and letter templates.

    {{ kontakt.briefanrede }}                  a field from the catalogue (placeholders.py)
    {% if links.dokumente %} … {% else %} … {% endif %}   optional text, only on a catalogue field

Nothing else exists: no attribute access, no filters, no other tags, no code. The template is
parsed into nodes by our own tokenizer; a name that is not in the catalogue, a tag we do not know
or an unclosed block is a `TemplateSyntaxError` with line and reason, so the editor shows it and
a mail is never sent with a silent blank. Values are plain strings computed by whitelisted
resolver functions, only for the fields the template uses.

The tokenizer is linear in the template's size (one pass, every closer searched at most once per
position, lines counted incrementally), and a template is at most `MAX_SOURCE_CHARS` long with at
most `MAX_DEPTH` nested `if`s, so no request can hold a worker with a hostile template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

OPENER_RE = re.compile(r"\{[{%#]")
OPENER_NO_COMMENT_RE = re.compile(r"\{[{%]")
CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
MAX_SOURCE_CHARS = 200_000  # a long letter is ~10,000 characters
MAX_DEPTH = 50  # nested ifs
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


def _tokens(source: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every {{ … }}, {% … %} and {# … #} in order, in one linear pass.

    A token ends at the first closer after its opener (as a lazy regex would). An unclosed `{{` or
    `{%` is an error right away (nothing after it can repair it); an unclosed `{#` is text, and
    once no `#}` follows, `{#` is no longer looked for. The last search per closer is remembered,
    so no part of the text is searched twice for the same closer.
    """
    found: dict[str, tuple[int, int]] = {}  # closer -> (searched from, index or -1)
    opener_re = OPENER_RE
    pos = 0
    while True:
        match = opener_re.search(source, pos)
        if match is None:
            return
        start = match.start()
        closer = CLOSERS[match.group(0)]
        since, index = found.get(closer, (len(source) + 1, -1))
        if not (since <= start + 2 and (index == -1 or index >= start + 2)):
            index = source.find(closer, start + 2)
            found[closer] = (start + 2, index)
        if index >= 0:
            yield start, index + 2
            pos = index + 2
        elif closer == "#}":
            opener_re = OPENER_NO_COMMENT_RE  # no comment can close any more: {# is plain text
            pos = start + 1
        else:
            _text(source, pos, start, [])  # a stray closer before it is reported first
            raise TemplateSyntaxError(
                _line_of(source, start),
                _("Unclosed or stray “%(token)s”. Placeholders look like {{ kontakt.briefanrede }}.")
                % {"token": match.group(0)},
            )


def parse(source: str, known: Iterable[str], *, max_chars: int | None = MAX_SOURCE_CHARS) -> list[Node]:
    """Parse `source` into nodes; every name must be in `known`. Raises `TemplateSyntaxError`.

    `max_chars` is the size cap (None: no cap; for the benchmark)."""
    if max_chars is not None and len(source) > max_chars:
        raise TemplateSyntaxError(
            1,
            _("The template is too long (%(size)s characters, at most %(max)s).")
            % {
                "size": number_format(len(source), force_grouping=True),
                "max": number_format(max_chars, force_grouping=True),
            },
        )
    known_names = set(known)
    root: list[Node] = []
    stack: list[tuple[If, list[Node]]] = []  # open ifs and the list we are filling
    current = root
    pos = 0
    line, line_pos = 1, 0  # the line at line_pos, advanced token by token (linear)
    for start, end in _tokens(source):
        if start > pos:
            _text(source, pos, start, current)
        token = source[start:end]
        line += source.count("\n", line_pos, start)
        line_pos = start
        inner = token[2:-2].strip()
        if token.startswith("{#"):
            pass  # a comment, never rendered
        elif token.startswith("{{"):
            current.append(Var(_check_name(inner, known_names, line), line))
        else:
            words = inner.split()
            tag = words[0] if words else ""
            if tag == "if" and len(words) == 2:
                if len(stack) >= MAX_DEPTH:
                    raise TemplateSyntaxError(
                        line,
                        _("Too many nested “if” (at most %(max)s inside each other).") % {"max": MAX_DEPTH},
                    )
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
        pos = end
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


# Other names of a field group: offices write `{{ immobilie.rundgang_link }}` as often as
# `{{ objekt.… }}` (the UI says "Immobilie"); both mean the same field, the catalogue shows one.
ALIASES = {"immobilie": "objekt"}


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
    group, _dot, field = name.partition(".")
    canonical = f"{ALIASES[group]}.{field}" if group in ALIASES else name
    if canonical not in known:
        raise TemplateSyntaxError(line, _("Unknown field “%(name)s”.") % {"name": name})
    return canonical


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
