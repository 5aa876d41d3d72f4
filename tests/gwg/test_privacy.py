"""A Datenauskunft names the person's GwG metadata (party, identification) but never a suspicion
note, a risk assessment or the copies (tipping-off ban, §47 GwG); an erasure keeps the file by its
own retention rule (GwG §8 Abs. 4) and names it."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import time_machine

from maklerwerk.gwg import services
from maklerwerk.gwg.models import GwgCase
from maklerwerk.privacy.erasure import erasure_plan
from maklerwerk.privacy.export import contact_export_write
from tests.gwg.conftest import ID_NUMBER, SUSPICION

pytestmark = pytest.mark.django_db


def test_the_data_access_export_of_a_party_holds_its_gwg_metadata_and_no_suspicion(
    case: Any, buyer: Any, tmp_path: Path
) -> None:
    path = tmp_path / "auskunft.zip"
    contact_export_write(buyer, path)
    with zipfile.ZipFile(path) as zf:
        data = json.loads(zf.read("data.json"))
        names = zf.namelist()
    assert {"gwg_parties", "gwg_identifications"} <= set(data["sections"])
    schema_path = Path(__file__).parents[2] / "docs/schemas/personal-data-export.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(data, schema)  # the published schema of the Datenauskunft
    assert "gwg_beneficial_owners" not in data["sections"]
    ident = data["sections"]["gwg_identifications"]["rows"][0]
    assert ident["id_number"] == ID_NUMBER and "id_copy" not in ident
    text = json.dumps(data, ensure_ascii=False)
    assert SUSPICION not in text and "Geldwäscheverdacht" not in text
    assert not [n for n in names if "gwg" in n.lower()]  # no ID copy file
    assert data["sections"]["contact"]["rows"][0]["last_name"] == "Käufer"


def test_an_erasure_holds_the_gwg_records_by_their_own_rule_while_the_case_lasts(
    case: Any, buyer: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)):
        plan = erasure_plan(buyer)
    gwg = [h for h in plan.held if h.record.startswith("gwg_")]
    assert {h.record.split(":")[0] for h in gwg} == {"gwg_parties", "gwg_identifications"}
    assert all("GwG §8 Abs. 4" in h.reason and h.until == dt.date(2031, 12, 31) for h in gwg)
    assert not any(k.startswith("gwg") for k in plan.delete)


def test_an_erasure_after_the_five_years_lets_them_go(case: Any, buyer: Any, admin_user: Any) -> None:
    GwgCase.objects.filter(pk=case.pk).update(opened_on=dt.date(2026, 11, 1))
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)):
        services.case_close(case=case, acting_user=admin_user, ended_on=dt.date(2026, 12, 1))
        assert any(h.record.startswith("gwg_parties") for h in erasure_plan(buyer).held)
    late = erasure_plan(buyer, today=dt.date(2032, 1, 1))
    assert "gwg_parties" in late.delete and "gwg_identifications" in late.delete
    still = erasure_plan(buyer, today=dt.date(2031, 12, 31))
    assert any(
        h.record.startswith("gwg_identifications") and h.until == dt.date(2031, 12, 31) for h in still.held
    )
