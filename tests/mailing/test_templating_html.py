"""HTML rendering escapes everything a template brings in, inside `if` blocks too."""

from __future__ import annotations

import html

import pytest

from maklerwerk.mailing import templating
from maklerwerk.mailing.placeholders import BY_NAME


def test_html_rendering_escapes_text_and_values_at_every_depth_and_tests_the_condition() -> None:
    nodes = templating.parse(
        "Tom & Jerry <GmbH>: {% if kontakt.vorname %}{{ kontakt.vorname }} & "
        "{% if links.dokumente %}{{ links.dokumente }}{% else %}<ohne>{% endif %}{% endif %}",
        BY_NAME,
    )
    values = {"kontakt.vorname": "<b>Anna</b>", "links.dokumente": "https://x?a=1&b=2"}
    # `if` tests its own text (here: documents count only when "ja"), not the shown value.
    tested = {"kontakt.vorname": "ja", "links.dokumente": ""}
    out = templating.render(
        nodes, values.__getitem__, tested.__getitem__, escape=lambda s: html.escape(s, quote=False)
    )
    assert out == "Tom &amp; Jerry &lt;GmbH&gt;: &lt;b&gt;Anna&lt;/b&gt; &amp; &lt;ohne&gt;"


@pytest.mark.parametrize(
    ("source", "line", "token"),
    [
        ("Hallo\nTom }} Jerry\nEnde", 2, "}}"),
        ("{{ kontakt.vorname }}\nx %} y\nEnde", 2, "%}"),
        ("a\nb\nc {% d\nEnde", 3, "{%"),
        ("}}\nEnde", 1, "}}"),
    ],
)
def test_a_stray_bracket_is_reported_on_its_own_line(source: str, line: int, token: str) -> None:
    with pytest.raises(templating.TemplateSyntaxError) as info:
        templating.parse(source, BY_NAME)
    assert (info.value.line, f"„{token}“" in info.value.reason) == (line, True)
