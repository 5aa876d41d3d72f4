"""Data migrations of the one-way-to-send change: existing offices keep working after the update."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from maklerwerk.inquiries.models import ProcessDefinition, ProcessStep
from maklerwerk.mailing.models import MailTemplate
from tests.live.migrations import migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

PROCESS_BEFORE, PROCESS_AFTER = (
    [("inquiries", "0002_expose_template_and_offer")],
    [("inquiries", "0003_process_texts_placeholder_language")],
)
TEMPLATES_BEFORE, TEMPLATES_AFTER = (
    [("mailing", "0002_smtp_password_encrypted")],
    [("mailing", "0003_share_link_template")],
)


def _migrate(target: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(target)


def test_process_texts_with_the_old_placeholders_are_rewritten_and_back(office: Any) -> None:
    """GIVEN process steps written with {contact}, {property} and {external_id} before the update
    WHEN the migration runs THEN they say the same in the one placeholder language (and back on undo)."""
    try:
        _migrate(PROCESS_BEFORE)
        definition = ProcessDefinition.objects.create(office=office, name="Alt", trigger="expose_sent")
        mail, task, tag = (
            ProcessStep.objects.create(definition=definition, position=i, kind=kind, params=params)
            for i, (kind, params) in enumerate([
                ("send_mail", {"subject": "Hallo {contact}", "body": "Zu {property} ({external_id}): {€}"}),
                ("create_task", {"title": "Nachfassen: {contact} zu {property}", "due_days": 2}),
                ("add_tag", {"tag": "{contact}"}),  # not a text with placeholders: left alone
            ])
        )  # fmt: skip
        _migrate(PROCESS_AFTER)
        for step in (mail, task, tag):
            step.refresh_from_db()
        assert mail.params == {
            "subject": "Hallo {{ kontakt.name }}",
            "body": "Zu {{ objekt.titel }} ({{ objekt.kennung }}): {€}",
        }
        assert task.params == {"title": "Nachfassen: {{ kontakt.name }} zu {{ objekt.titel }}", "due_days": 2}
        assert tag.params == {"tag": "{contact}"}

        _migrate(PROCESS_BEFORE)
        mail.refresh_from_db()
        assert mail.params["subject"] == "Hallo {contact}"
    finally:
        migrate_to_latest()


def test_an_office_that_has_templates_gets_the_share_link_template(office: Any, other_office: Any) -> None:
    """GIVEN an office that already has its templates (one of them named like the new default) and one
    that never opened them WHEN the migration runs THEN the first gets the share-link mail, the second
    gets every default on first use as before."""
    try:
        _migrate(TEMPLATES_BEFORE)
        MailTemplate.objects.create(office=office, key="expose", name="Exposé-Versand", body="x")
        MailTemplate.objects.create(office=office, name="Dokumentenfreigabe per E-Mail", body="eigene")
        _migrate(TEMPLATES_AFTER)
        new = MailTemplate.objects.get(office=office, key="share_link")
        assert new.name == "Dokumentenfreigabe per E-Mail (share_link)"
        assert "{{ links.dokumente }}" in new.body and new.subject == "Ihre Unterlagen zu {{ objekt.titel }}"
        assert not MailTemplate.objects.filter(office=other_office).exists()
        import importlib

        from django.apps import apps

        importlib.import_module("maklerwerk.mailing.migrations.0003_share_link_template").add_template(
            apps, None
        )
        assert MailTemplate.objects.filter(office=office, key="share_link").count() == 1  # run twice: once
    finally:
        migrate_to_latest()
