"""HTML pages: German UI, roles, office scoping, images, contact tab, self-service form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from maklerwerk.properties import services
from maklerwerk.properties.models import PropertyImage, SearchProfile, SelfServiceLink
from tests.conftest import RATE_LIMIT_INSTANT
from tests.properties.conftest import png_upload

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_list_shows_properties_in_german(agent_client: Client, make_property: Any) -> None:
    make_property()
    html = agent_client.get("/properties/").content.decode()
    assert "Helle 3-Zimmer-Wohnung im Nordend" in html and "400.000 €" in html and "In Vermarktung" in html
    partial = agent_client.get(
        "/properties/", {"q": "Sachsenhausen"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Keine passenden Immobilien." in partial and "<html" not in partial


def test_the_detail_page_lists_matching_profiles_with_explanations(
    agent_client: Client, make_property: Any, make_profile: Any
) -> None:
    prop = make_property(purchase_price=440000)
    make_profile()
    html = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert "Passende Suchprofile" in html and "Erika Mustermann" in html
    assert "Preis 5 % über Maximum" in html and "Knapp daneben" in html
    assert "Bereits angeboten" in html and "Abgesagt" in html


def test_it_creates_a_property_with_german_field_errors(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/",
        {
            "external_id": "",
            "object_kind": "burg",
            "marketing_type": "kauf",
            "usage": "wohnen",
            "status": "active",
            "visibility": "office",
            "country": "DEU",
            "purchase_price": "-5",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Bitte eine gültige Auswahl treffen. burg ist keine gültige Auswahl." in html
    assert "Ensure this value" not in html and "größer oder gleich 0" in html
    assert "Bitte korrigieren Sie die markierten Felder." in html
    response = agent_client.post(
        "/properties/new/",
        {
            "external_id": "K-9",
            "title": "Neu",
            "object_kind": "haus",
            "marketing_type": "kauf",
            "usage": "wohnen",
            "status": "active",
            "visibility": "office",
            "country": "DEU",
            "purchase_price": "350000",
            "features": ["garten"],
        },
    )
    assert response.status_code == 302
    assert "Immobilie angelegt." in agent_client.get(response["Location"]).content.decode()


def test_read_only_users_may_look_but_not_change(readonly_user: Any, make_property: Any) -> None:
    prop = make_property()
    c = client_for(readonly_user)
    assert c.get(f"/properties/{prop.pk}/").status_code == 200
    assert c.get("/properties/new/").status_code == 403
    assert c.post(f"/properties/{prop.pk}/edit/", {"title": "x"}).status_code == 403
    assert c.post(f"/properties/{prop.pk}/images/", {"files": [png_upload()]}).status_code == 403
    assert c.post(f"/properties/{prop.pk}/delete/").status_code == 403


def test_another_offices_property_is_not_found(outsider: Any, make_property: Any, contact: Any) -> None:
    prop = make_property()
    services.property_images_add(prop=prop, acting_user=None, files=[png_upload()])
    image = PropertyImage.objects.get()
    c = client_for(outsider)
    for url in (
        f"/properties/{prop.pk}/",
        f"/properties/{prop.pk}/edit/",
        f"/properties/images/{image.pk}/thumb/",
        f"/properties/contact-tab/{contact.pk}/",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/properties/{prop.pk}/delete/").status_code == 404


def test_images_upload_several_and_reorder_by_htmx(agent_client: Client, make_property: Any) -> None:
    prop = make_property()
    response = agent_client.post(
        f"/properties/{prop.pk}/images/",
        {"files": [png_upload("a.png"), png_upload("b.png")], "kind": "bild"},
    )
    assert response.status_code == 302
    first, second = PropertyImage.objects.order_by("position")
    response = agent_client.post(
        f"/properties/{prop.pk}/images/order/",
        {"image": [second.pk, first.pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Titelbild" in response.content.decode()
    assert prop.title_image == second
    thumb = agent_client.get(f"/properties/images/{second.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_a_bad_image_shows_a_german_error(agent_client: Client, make_property: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    prop = make_property()
    bad = SimpleUploadedFile("kaputt.jpg", b"nope", content_type="image/jpeg")
    response = agent_client.post(f"/properties/{prop.pk}/images/", {"files": [bad]}, follow=True)
    assert "kaputt.jpg ist kein Bild oder ist beschädigt." in response.content.decode()
    assert not PropertyImage.objects.exists()


def test_the_contact_tab_shows_roles_profiles_and_matches(
    agent_client: Client, make_property: Any, make_profile: Any, contact: Any, agent: Any
) -> None:
    prop = make_property()
    make_profile()
    services.property_contact_set(prop=prop, contact=contact, acting_user=agent, role="owner")
    html = agent_client.get(f"/properties/contact-tab/{contact.pk}/").content.decode()
    assert "Interesse und Verwaltung" in html and "Eigentümer" in html
    assert (
        "Wohnung Frankfurt" in html
        and "1 Treffer" in html
        and "Frankfurt am Main liegt im Suchgebiet" in html
    )
    partial = agent_client.get(
        f"/properties/contact-tab/{contact.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and "Suchprofile" in partial


def test_the_contact_tab_is_registered_for_the_contact_page() -> None:
    from maklerwerk.core.tabs import TABS

    tab = TABS[("contact", "properties")]
    assert str(tab.label) == "Immobilien" and tab.template == "properties/_contact_tab.html"


def test_the_profile_form_shows_min_above_max_in_german(agent_client: Client, contact: Any) -> None:
    response = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/profiles/new/",
        {"marketing_type": "kauf", "price_min": "500000", "price_max": "100000", "postal_codes": "6031x"},
    )
    html = response.content.decode()
    assert "Der Mindestpreis liegt über dem Höchstpreis." in html and "Keine Postleitzahl: 6031x" in html
    assert not SearchProfile.objects.exists()
    response = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/profiles/new/",
        {
            "name": "Haus im Grünen",
            "marketing_type": "kauf",
            "object_kinds": ["haus"],
            "object_kinds_must": "on",
            "price_max": "600000",
            "cities": "Bad Homburg, Oberursel",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert SearchProfile.objects.get().cities == ["Bad Homburg", "Oberursel"]


def test_the_self_service_form_creates_the_profile(agent_client: Client, contact: Any, agent: Any) -> None:
    response = agent_client.post(f"/properties/contact-tab/{contact.pk}/self-service/", follow=True)
    html = response.content.decode()
    assert "Persönlicher Link für den Kontakt" in html
    url = html.split('id="self-service-url">')[1].split("<")[0]
    public = Client()
    page = public.get(url)
    assert (
        page.status_code == 200
        and "Ihr Suchprofil" in page.content.decode()
        and "Erika Mustermann" in page.content.decode()
    )
    done = public.post(
        url,
        {
            "marketing_type": "kauf",
            "object_kinds": ["wohnung"],
            "price_max": "380000",
            "cities": "Frankfurt am Main",
        },
    )
    assert "Vielen Dank, Ihr Suchprofil ist gespeichert." in done.content.decode()
    profile = SearchProfile.objects.get()
    assert profile.contact == contact and profile.price_max == 380000
    assert (
        "hat über den persönlichen Link ein Suchprofil angelegt"
        in agent_client.get("/properties/new-matches/widget/").content.decode()
    )


def test_forged_and_expired_tokens_get_one_friendly_page(contact: Any, agent: Any) -> None:
    link, token = services.self_service_link_create(contact=contact, acting_user=agent)
    public = Client()
    forged = public.get("/properties/s/" + "A" * 43 + "/")
    assert forged.status_code == 404 and "Dieser Link ist nicht (mehr) gültig." in forged.content.decode()
    SelfServiceLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = public.post(f"/properties/s/{token}/", {"price_max": "1"})
    assert expired.status_code == 404 and expired.content == forged.content
    assert "Erika" not in expired.content.decode() and not SearchProfile.objects.exists()


@pytest.mark.ratelimit
def test_the_self_service_form_is_rate_limited(db: None) -> None:
    cache.clear()
    public = Client()
    with time_machine.travel(RATE_LIMIT_INSTANT, tick=False):
        statuses = [public.get("/properties/s/unknown-token/").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_the_dashboard_counts_new_matches(
    agent_client: Client, make_profile: Any, make_property: Any
) -> None:
    make_profile()
    make_property()
    html = agent_client.get("/").content.decode()
    assert 'data-counter="new_matches">1<' in html  # one profile, one property: one pair
    widget = agent_client.get("/properties/new-matches/widget/").content.decode()
    assert "neu im Bestand" in widget
    agent_client.post("/properties/new-matches/seen/")
    assert "Keine neuen Treffer." in agent_client.get("/properties/new-matches/widget/").content.decode()


def test_a_match_offered_since_is_no_longer_new(
    agent_client: Client, agent: Any, make_profile: Any, make_property: Any
) -> None:
    from maklerwerk.core.models import Activity
    from maklerwerk.core.services import activity_create

    profile = make_profile()
    prop = make_property()
    assert 'data-counter="new_matches">1<' in agent_client.get("/").content.decode()
    activity_create(
        office=agent.office,
        type=Activity.Type.EXPOSE_SENT,
        subject="Exposé",
        acting_user=agent,
        contact_id=profile.contact_id,
        property_id=prop.pk,
    )
    assert 'data-counter="new_matches">0<' in agent_client.get("/").content.decode()
    widget = agent_client.get("/properties/new-matches/widget/").content.decode()
    assert "Keine neuen Treffer." in widget


def test_only_administrators_change_the_tolerances(agent_client: Client, admin_user: Any) -> None:
    agent_client.post(
        "/properties/settings/",
        {"price_tolerance_percent": "20", "area_tolerance_percent": "10", "rooms_tolerance": "1"},
    )
    from maklerwerk.properties.models import MatchSettings

    assert not MatchSettings.objects.exists()
    client_for(admin_user).post(
        "/properties/settings/",
        {
            "price_tolerance_percent": "20",
            "area_tolerance_percent": "10",
            "rooms_tolerance": "1",
            "kennung_pattern": "MW-{nr:04}",
        },
    )
    assert MatchSettings.objects.get().price_tolerance_percent == 20


def test_seed_demo_fills_the_match_lists(db: None) -> None:
    from django.core.management import call_command

    from maklerwerk.properties.models import NewMatch, Property

    call_command("seed_demo", "--properties", "4", "--search-profiles", "8", "--activities", "0", verbosity=0)
    assert Property.objects.count() == 4 and PropertyImage.objects.count() >= 8
    assert SearchProfile.objects.count() == 8 and NewMatch.objects.exists()
    call_command("seed_demo", "--properties", "4", "--search-profiles", "8", "--activities", "0", verbosity=0)
    assert Property.objects.count() == 4 and SearchProfile.objects.count() == 8


def test_the_contact_and_document_forms_on_the_property_are_styled(
    agent_client: Client, make_property: Any
) -> None:
    # Unstyled selects overlapped their neighbours in the Kontakte and Dokumente tabs.
    html = agent_client.get(f"/properties/{make_property().pk}/").content.decode()

    def tag(name: str) -> str:  # the opening tag of the first control with this name
        before, after = html.split(f'name="{name}"', 1)
        return before.rsplit("<", 1)[1] + after.split(">", 1)[0]

    for name in ("role", "interest_status", "kind"):
        assert "form-select" in tag(name), name
    assert "form-control" in tag("note")
