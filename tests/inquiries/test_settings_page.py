from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.inquiries.models import InquiryRule, InquirySettings

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_admin_switches_off_double_opt_in_and_shortens_the_link_validity(
    admin_user: Any, office: Any
) -> None:
    client = _login(admin_user)
    assert "Ausnahmen" in client.get("/inquiries/settings/").content.decode()
    response = client.post(
        "/inquiries/settings/",
        {"save_settings": "1", "confirmation_days": "3", "send_expose": "on"},
        follow=True,
    )
    assert "Einstellungen des Anfragenmanagers gespeichert" in response.content.decode()
    saved = InquirySettings.objects.get(office=office)
    assert not saved.double_opt_in and saved.confirmation_days == 3


def test_an_admin_adds_and_deletes_an_exception(admin_user: Any, office: Any) -> None:
    client = _login(admin_user)
    html = client.post(
        "/inquiries/settings/",
        {"add_rule": "1", "rule-name": "Leer", "rule-action": "no_automation", "rule-order": "0"},
    ).content.decode()
    assert "Geben Sie mindestens ein Kriterium an" in html
    assert not InquiryRule.objects.exists()
    client.post(
        "/inquiries/settings/",
        {
            "add_rule": "1",
            "rule-name": "Gewerbe nur Adresse",
            "rule-marketing_type": "miete_pacht",
            "rule-keyword": "Gewerbe",
            "rule-action": "address_only",
            "rule-order": "1",
        },
    )
    rule = InquiryRule.objects.get()
    assert (rule.office, rule.keyword, rule.action) == (office, "Gewerbe", "address_only")
    assert "Gewerbe nur Adresse" in client.get("/inquiries/settings/").content.decode()
    client.post("/inquiries/settings/", {"delete_rule": str(rule.pk)})
    assert not InquiryRule.objects.exists()


def test_only_admins_change_inquiry_settings(agent: Any, admin_user: Any, outsider: Any, office: Any) -> None:
    assert _login(agent).get("/inquiries/settings/").status_code == 403
    rule = InquiryRule.objects.create(office=office, name="Bleibt", keyword="x", action="no_automation")
    _login(outsider).post("/inquiries/settings/", {"delete_rule": str(rule.pk)})
    assert InquiryRule.objects.filter(pk=rule.pk).exists()
