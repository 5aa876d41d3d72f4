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
    nothing: dict[str, str] = {}
    assert templating.render(nodes, nothing.__getitem__) == "Preis: 100 %"


def test_a_template_over_the_size_cap_is_refused_with_a_german_reason() -> None:
    with pytest.raises(templating.TemplateSyntaxError) as info:
        parse("x" * (templating.MAX_SOURCE_CHARS + 1))
    assert info.value.line == 1
    assert "Die Vorlage ist zu lang (200.001 Zeichen, höchstens 200.000)" in info.value.reason
    assert parse("x" * templating.MAX_SOURCE_CHARS)  # exactly at the cap is fine


def test_too_deeply_nested_ifs_are_refused_with_line_and_reason() -> None:
    fine = "{% if kontakt.vorname %}" * 50 + "x" + "{% endif %}" * 50
    assert templating.render(parse(fine), {"kontakt.vorname": "Eva"}.__getitem__) == "x"
    deep = "{% if kontakt.vorname %}\n" * 51 + "x" + "{% endif %}" * 51
    with pytest.raises(templating.TemplateSyntaxError) as info:
        parse(deep)
    assert info.value.line == 51
    assert "Zu viele verschachtelte „if“ (höchstens 50 ineinander)" in info.value.reason


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("{{" * 40_000, 1, "Nicht geschlossenes oder überzähliges „{{“"),
        ("a\n" + "{%" * 40_000, 2, "Nicht geschlossenes oder überzähliges „{%“"),
        ("{#" * 40_000 + "\n}}", 2, "Nicht geschlossenes oder überzähliges „}}“"),
        ("{{ kontakt.vorname }}\n" * 3 + "{{ kontakt.vornam }}", 4, "Unbekanntes Feld"),
        ("{# a }} #}{{ kontakt.vorname }}{#\n{{ x }}", 2, "ist kein Platzhalter"),
    ],
)
def test_unclosed_openers_and_lines_are_found_in_one_pass(source: str, line: int, reason: str) -> None:
    with pytest.raises(templating.TemplateSyntaxError) as info:
        parse(source)
    assert (info.value.line, reason in info.value.reason) == (line, True)


def test_names_used_lists_every_field_at_every_depth_once() -> None:
    # The inquiry mail computes only the fields a template uses (links are created only when used),
    # so a field hidden in an else branch or a nested if must still be listed.
    nodes = parse(
        "{{ kontakt.vorname }} {% if links.dokumente %}{{ kontakt.nachname }}"
        "{% if kontakt.anrede %}x{% else %}{{ kontakt.briefanrede }}{% endif %}{% endif %}"
        "{{ kontakt.vorname }}"
    )
    assert templating.names_used(nodes) == {
        "kontakt.vorname",
        "links.dokumente",
        "kontakt.nachname",
        "kontakt.anrede",
        "kontakt.briefanrede",
    }
    assert templating.names_used(parse("nur Text")) == set()


def test_a_syntax_error_reads_as_a_german_sentence_with_its_line() -> None:
    with pytest.raises(templating.TemplateSyntaxError) as info:
        parse("a\nb\n{{ kontakt.vornam }}")
    assert str(info.value) == "Zeile 3: Unbekanntes Feld „kontakt.vornam“."


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("a\n{% else %}", 2, "„else“ ohne offenes „if“."),
        ("{% if kontakt.vorname %}x{% else %}y\n{% else %}z{% endif %}", 2, "„else“ ohne offenes „if“."),
        ("\n{{ kontakt.vornam }}", 2, "Unbekanntes Feld „kontakt.vornam“."),  # a newline at the very start
        ("x\n{% if kontakt.vornam %}{% endif %}", 2, "Unbekanntes Feld „kontakt.vornam“."),
        ("{% %}", 1, "Unbekannte Anweisung „“. Erlaubt sind nur if, else und endif."),
        (
            "{% " + "a" * 45 + " %}",
            1,
            "Unbekannte Anweisung „" + "a" * 40 + "“. Erlaubt sind nur if, else und endif.",
        ),
    ],
)
def test_every_error_names_its_line_and_its_exact_reason(source: str, line: int, reason: str) -> None:
    with pytest.raises(templating.TemplateSyntaxError) as info:
        parse(source)
    assert (info.value.line, info.value.reason) == (line, reason)


def test_the_parse_keeps_text_and_fields_as_written_with_their_lines() -> None:
    nodes = parse("x{{kontakt.vorname}}{{ kontakt.name }}\n{% if kontakt.anrede %}y{% endif %}")
    assert [type(n).__name__ for n in nodes] == ["Text", "Var", "Var", "Text", "If"]  # no empty texts
    assert [n.name for n in nodes if isinstance(n, templating.Var)] == ["kontakt.vorname", "kontakt.name"]
    last, second, field = nodes[-1], nodes[1], parse("a\n\n{{ kontakt.name }}")[1]
    assert isinstance(last, templating.If) and isinstance(second, templating.Var)
    assert isinstance(field, templating.Var)
    assert last.line == 2 and second.line == 1 and field.line == 3


def test_immobilie_is_another_name_for_the_property_fields() -> None:
    nodes = parse("{{ immobilie.rundgang_link }} {% if immobilie.titel %}{{ objekt.titel }}{% endif %}")
    values = {"objekt.rundgang_link": "https://tour", "objekt.titel": "Altbau"}
    assert templating.render(nodes, values.__getitem__) == "https://tour Altbau"
    with pytest.raises(templating.TemplateSyntaxError, match=r"Unbekanntes Feld „immobilie\.preiss“"):
        parse("{{ immobilie.preiss }}")
