from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_dashboard_loads_registered_widgets_lazily(agent_client: Client) -> None:
    from maklerwerk.core.dashboard import WIDGETS, Widget

    WIDGETS.register(Widget("test-widget", "Testkarte", "healthz", order=99))
    try:
        html = agent_client.get("/").content.decode()
        assert 'id="widget-test-widget"' in html and 'hx-get="/healthz"' in html and "Testkarte" in html
    finally:
        WIDGETS.unregister("test-widget")


def test_the_dashboard_loads_new_matches_and_inquiries(agent_client: Client) -> None:
    html = agent_client.get("/").content.decode()
    assert 'hx-get="/properties/new-matches/widget/"' in html and 'hx-get="/inquiries/widget/"' in html
    widget = agent_client.get("/properties/new-matches/widget/", headers={"HX-Request": "true"})
    assert widget.status_code == 200 and "Neue Treffer" in widget.content.decode()


def test_the_export_includes_rows_that_reach_the_office_through_their_property() -> None:
    from maklerwerk.core.export import office_path
    from maklerwerk.inquiries.models import ProcessStepRun
    from maklerwerk.mailing.models import SmtpSettings
    from maklerwerk.properties.models import PropertyImage
    from maklerwerk.tasks.models import Task

    assert office_path(PropertyImage) == "property__office"
    assert office_path(Task) == "office"
    assert office_path(SmtpSettings) == "user__office"  # was exported empty before
    assert office_path(ProcessStepRun) == "instance__office"
