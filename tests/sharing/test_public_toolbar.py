"""The public document page's toolbar as the prospect uses it: the search stays in every link (view
switch, sort, "download all shown"), the count and size say what is shown, unknown parameters fall
back to the defaults, and a ZIP of a Kennung with umlauts gets a name every browser can save."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import translation

from .conftest import public_path, token_of

pytestmark = pytest.mark.django_db

UA: dict[str, Any] = {"HTTP_USER_AGENT": "Mozilla/5.0 Testbrowser"}


def _page(client: Client, url: str) -> Any:
    response = client.get(url, **UA)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query, keep_blank_values=True)


def test_the_toolbar_keeps_the_search_and_counts_what_is_shown(link: Any, documents: Any) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.78")
    page = _page(visitor, public_path(link) + "?q=grund&sort=-size&view=tiles")

    options = [(o.get("value"), o.text_content()) for o in page.xpath('//select[@id="sort"]/option')]
    assert options == [
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("size", "Größe (kleinste zuerst)"),
        ("-size", "Größe (größte zuerst)"),
    ]
    assert [o.get("value") for o in page.xpath('//select[@id="sort"]/option[@selected]')] == ["-size"]
    assert page.xpath('//input[@name="q"]')[0].get("value") == "grund"

    list_button, tiles_button = (
        page.xpath('//*[@data-view="list"]')[0],
        page.xpath('//*[@data-view="tiles"]')[0],
    )
    assert _query(list_button.get("href")) == {"q": ["grund"], "sort": ["-size"], "view": ["list"]}
    assert _query(tiles_button.get("href")) == {"q": ["grund"], "sort": ["-size"], "view": ["tiles"]}
    assert "active" in tiles_button.get("class") and tiles_button.get("aria-pressed") == "true"
    assert "active" not in list_button.get("class") and list_button.get("aria-pressed") is None

    count = page.xpath('//*[@id="shown-count"]')[0]
    with translation.override("de"):
        size = filesizeformat(documents[0].size)  # only the Grundbuchauszug matches "grund"
    assert count.text_content().strip() == f"1 Datei · {size}"
    assert count.get("data-total") == "2"  # the two shared documents, the unprotected one is not shared
    zip_href = page.xpath('//a[@id="zip-button"]')[0].get("href")
    assert zip_href == f"/sharing/d/{token_of(link)}/zip/?q=grund"

    both = _page(visitor, public_path(link) + "?q=+aus+")
    assert both.xpath('//input[@name="q"]')[0].get("value") == "aus"
    with translation.override("de"):
        total = filesizeformat(documents[0].size + documents[1].size)
    assert both.xpath('//*[@id="shown-count"]')[0].text_content().strip() == f"2 Dateien · {total}"


def test_unknown_sort_and_view_fall_back_to_name_and_list(link: Any, documents: Any) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.79")
    page = _page(visitor, public_path(link) + "?sort=owner&view=grid")
    assert [o.get("value") for o in page.xpath('//select[@id="sort"]/option[@selected]')] == ["name"]
    assert page.xpath('//*[@id="files"]')[0].get("data-view-mode") == "list"
    assert _query(page.xpath('//*[@data-view="tiles"]')[0].get("href")) == {
        "q": [""],
        "sort": ["name"],
        "view": ["tiles"],
    }
    assert page.xpath('//a[@id="zip-button"]')[0].get("href") == f"/sharing/d/{token_of(link)}/zip/?q="
    files = lxml.html.tostring(page.xpath('//*[@id="files"]')[0], encoding="unicode")
    assert files.index("Energieausweis") < files.index("Grundbuchauszug")  # by name, A first


def test_the_preview_names_whose_page_it_is_and_offers_no_zip(
    agent_client: Client, link: Any, documents: Any
) -> None:
    page = _page(agent_client, f"/sharing/links/{link.pk}/preview/")
    banner = page.xpath('//*[@id="preview-banner"]')[0].text_content()
    assert "Erika Mustermann" in banner
    assert page.xpath('//a[@id="zip-button"]') == [] and page.xpath('//button[@id="zip-button"][@disabled]')


def test_a_zip_of_a_kennung_with_umlauts_has_an_ascii_name(link: Any, documents: Any, prop: Any) -> None:
    prop.external_id = 'Hö-7"a'
    prop.save(update_fields=["external_id"])
    visitor = Client(REMOTE_ADDR="203.0.113.80")
    response = visitor.get(f"/sharing/d/{token_of(link)}/zip/", **UA)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Unterlagen H_-7_a.zip"'


def test_tiles_are_tiles_and_an_empty_search_says_so(link: Any, documents: Any) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.81")
    tiles = _page(visitor, public_path(link) + "?view=tiles")
    files = tiles.xpath('//*[@id="files"]')[0]
    assert files.xpath(".//section[@data-group]") and not files.xpath(".//table")
    assert tiles.xpath('//*[@id="no-results"]') == []  # files are shown: no empty state
    listed = _page(visitor, public_path(link))
    assert listed.xpath('//*[@id="files"]//section[@data-group]') == []

    nothing = _page(visitor, public_path(link) + "?q=Baugenehmigung")
    assert (
        nothing.xpath('//*[@id="no-results"]')[0].text_content().strip()
        == "Keine Datei passt zu Ihrer Suche."
    )
    long_search = "Grundbuch" + "x" * 200
    page = _page(visitor, public_path(link) + "?q=" + long_search)
    assert page.xpath('//input[@name="q"]')[0].get("value") == long_search[:100]


def test_an_empty_cloud_says_nothing_was_shared_yet(link: Any) -> None:
    page = _page(Client(REMOTE_ADDR="203.0.113.82"), public_path(link))
    empty = page.xpath('//*[@id="no-results"]')[0].text_content().strip()
    assert empty == "Es wurden noch keine Dokumente freigegeben."
    assert page.xpath('//a[@id="zip-button"]') == []
