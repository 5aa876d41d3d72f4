"""German number entry in the property and search-profile forms, whatever the browser's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from maklerwerk.core.numbers import parse_german_number
from maklerwerk.properties.forms import PropertyForm
from tests.properties.conftest import property_data


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("349.000", "349000"), ("1.300,00", "1300.00"), ("78,5", "78.5"), ("78.5", "78.5"),
     ("349 000 €", "349000"), ("1.250.000", "1250000"), ("2,5", "2.5"), ("1,300.50", "1300.50"),
     ("85 m²", "85")],
)  # fmt: skip
def test_numbers_mean_what_a_german_means(typed: str, meant: str) -> None:
    assert parse_german_number(typed) == Decimal(meant)


@pytest.mark.parametrize("typed", ["dreihundert", "1,2,3", "∞", "NaN"])
def test_no_number_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_german_number(typed)


def _post_data(flat: Any, **changes: Any) -> dict[str, Any]:
    form = PropertyForm(instance=flat, office_id=flat.office_id)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None and value is not False:
            data[name] = field.prepare_value(value) if hasattr(field, "decimal_places") else value
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_property_form_reads_and_shows_german_numbers(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.properties.services import property_create

    flat = property_create(office=office, acting_user=agent, data=property_data())
    page = agent_client.get(f"/properties/{flat.pk}/edit/").content.decode()
    assert 'value="400.000,00"' in page and 'inputmode="decimal"' in page
    response = agent_client.post(
        f"/properties/{flat.pk}/edit/", _post_data(flat, purchase_price="349.000", living_area="78,5")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    flat.refresh_from_db()
    assert flat.purchase_price == Decimal("349000") and flat.living_area == Decimal("78.5")
    page = agent_client.post(
        f"/properties/{flat.pk}/edit/", _post_data(flat, purchase_price="dreihunderttausend")
    ).content.decode()
    assert (
        "Bitte eine Zahl eingeben, z. B. 349.000 oder 78,5." in page and 'value="dreihunderttausend"' in page
    )
