"""The placeholder language: documented fields only, errors with line and reason, no code."""

from __future__ import annotations

import pytest

from maklerwerk.mailing import templating
from maklerwerk.mailing.placeholders import BY_NAME


def parse(source: str) -> list[templating.Node]:
    return templating.parse(source, BY_NAME)


def test_it_renders_fields_and_optional_text() -> None:
    nodes = parse(
        "{{ kontakt.briefanrede }},\n"
        "{% if links.dokumente %}Link: {{ links.dokumente }}{% else %}ohne{% endif %}"
    )
    values = {"kontakt.briefanrede": "Sehr geehrte Frau Müller", "links.dokumente": ""}
    assert templating.render(nodes, values.__getitem__) == ("Sehr geehrte Frau Müller,\nohne")
    values = {"kontakt.briefanrede": "Hallo", "links.dokumente": "https://x"}
    assert templating.render(nodes, values.__getitem__) == ("Hallo,\nLink: https://x")


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("Hallo\n{{ kontakt.vornam }}", 2, "Unbekanntes Feld „kontakt.vornam“"),
        ("{{ contact.__class__ }}", 1, "Unbekanntes Feld „contact.__class__“"),
        ("{{ kontakt.briefanrede.__class__.__mro__ }}", 1, "ist kein Platzhalter"),
        ("x\n\n{{ settings.SECRET_KEY }}", 3, "ist kein Platzhalter"),
        ("{{ kontakt.vorname|upper }}", 1, "ist kein Platzhalter"),
        ("{% load static %}", 1, "Unbekannte Anweisung „load static“"),
        ("a\n{% include 'base.html' %}", 2, "Unbekannte Anweisung"),
        ("{% debug %}", 1, "Unbekannte Anweisung „debug“"),
        ("{% for x in y %}{% endfor %}", 1, "Unbekannte Anweisung"),
        ("{% if kontakt.vorname %}offen", 1, "nicht mit „endif“ geschlossen"),
        ("{% endif %}", 1, "ohne offenes"),
        ("Hallo {{ kontakt.vorname", 1, "Nicht geschlossenes oder überzähliges „{{“"),
        ("{{ }}", 1, "Leerer Platzhalter"),
        ("{% if kontakt.vorname == 'x' %}{% endif %}", 1, "genau ein Feld"),
        ("{{ kontakt.vorname() }}", 1, "ist kein Platzhalter"),
    ],
)
def test_it_rejects_hostile_or_broken_templates_with_line_and_reason(
    source: str, line: int, reason: str
) -> None:
    with pytest.raises(templating.TemplateSyntaxError) as info:
        parse(source)
    assert info.value.line == line
    assert reason in info.value.reason


def test_it_never_evaluates_template_text_as_code() -> None:
    nodes = parse("{# Kommentar {{ settings.SECRET_KEY }} #}Preis: 100 %")
    assert templating.render(nodes, {}.__getitem__) == "Preis: 100 %"
