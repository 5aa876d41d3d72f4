"""A portal's id of a property names it in that portal's inquiries while it is online there, and no
longer once it is taken off: the portal transfer records and forgets it through these services."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.inquiries.automation import property_resolve
from maklerwerk.inquiries.services import portal_listing_forget, portal_listing_record
from tests.inquiries.conftest import make_property

pytestmark = pytest.mark.django_db


def test_taking_a_property_off_one_portal_forgets_only_that_portals_id(
    office: Any, agent: Any, other_office: Any
) -> None:
    prop = make_property(office, agent, "MW-2001")
    neighbour = make_property(office, agent, "MW-2002")
    record = portal_listing_record
    record(office_id=office.pk, property_id=prop.pk, source="immoscout24", portal_id="151000001")
    record(office_id=office.pk, property_id=prop.pk, source="immowelt", portal_id="2ABC3")
    record(office_id=office.pk, property_id=neighbour.pk, source="immoscout24", portal_id="151000002")

    def found(source: str, portal_id: str) -> Any:
        return property_resolve(office=office, external_id="", source=source, portal_id=portal_id)

    assert found("immoscout24", "151000001") == prop and found("immowelt", "2ABC3") == prop

    # Another office's call names nothing of ours.
    portal_listing_forget(office_id=other_office.pk, property_id=prop.pk, source="immoscout24")
    assert found("immoscout24", "151000001") == prop

    portal_listing_forget(office_id=office.pk, property_id=prop.pk, source="immoscout24")
    assert found("immoscout24", "151000001") is None  # its old Scout-ID no longer names it
    assert found("immowelt", "2ABC3") == prop  # still online on immowelt
    assert found("immoscout24", "151000002") == neighbour  # the neighbour's listing stays
