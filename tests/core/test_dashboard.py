from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_dashboard_loads_registered_widgets_lazily(agent_client: Client) -> None:
    from maklerwerk.core.dashboard import WIDGETS, Widget, register_widget

    register_widget(Widget("test-widget", "Testkarte", "healthz", order=99))
    try:
        html = agent_client.get("/").content.decode()
        assert 'id="widget-test-widget"' in html and 'hx-get="/healthz"' in html and "Testkarte" in html
    finally:
        WIDGETS[:] = [w for w in WIDGETS if w.key != "test-widget"]
