"""The provider is recognised from a pasted link or id; an unknown link is kept, never refused."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from maklerwerk.tours.providers import recognise


def test_a_matterport_link_gives_provider_id_and_embed_url():
    found = recognise("https://my.matterport.com/show/?m=SxQL3iGyoDo&play=1")
    assert (found.provider, found.external_id) == ("matterport", "SxQL3iGyoDo")
    assert found.embed_url == "https://my.matterport.com/show/?m=SxQL3iGyoDo&play=1"


def test_a_bare_matterport_model_id_is_linked_by_its_id():
    found = recognise("SxQL3iGyoDo")
    assert found.provider == "matterport" and found.open_url.endswith("?m=SxQL3iGyoDo&play=1")


def test_other_providers_are_recognised():
    assert recognise("https://app.immoviewer.com/tour/abc123").provider == "immoviewer"
    assert recognise("https://tour.ogulo.com/Xy7aB").provider == "ogulo"
    assert recognise("https://www.3dvista.com/tours/villa-sonne").provider == "3dvista"
    assert recognise("https://tours.giraffe360.com/koeln-altbau-42/abcdef123456").provider == "giraffe360"


def test_an_unknown_link_is_kept_as_generic_with_the_link_itself():
    found = recognise("https://rundgang.example.org/objekt/4711?x=1")
    assert found.provider == "generic"
    assert found.open_url == found.embed_url == "https://rundgang.example.org/objekt/4711?x=1"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["", "matterport", "ogulo", "generic", "nonsense"]))
def test_any_input_is_recognised_without_error(text, provider):
    found = recognise(text, provider=provider)
    assert found.provider in {"matterport", "immoviewer", "ogulo", "3dvista", "giraffe360", "generic"}


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"https://[a-z]{1,12}\.[a-z]{2,5}/[A-Za-z0-9/_-]{0,40}", fullmatch=True))
def test_any_web_link_is_kept_as_its_open_url(url):
    assert recognise(url).open_url == url
