from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from tests.duplicates.conftest import MUELLER, make_contact

pytestmark = pytest.mark.django_db


def test_find_duplicates_prints_groups_with_scores_and_reasons(office: Any, mueller: Any) -> None:
    twin = make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    make_contact(office, first_name="Erika", last_name="Mustermann")
    out, err = io.StringIO(), io.StringIO()
    call_command("find_duplicates", "--format", "json", stdout=out, stderr=err)
    [group] = json.loads(out.getvalue())
    assert group["contact_ids"] == sorted([mueller.pk, twin.pk])
    assert group["pairs"][0]["score"] >= 0.9
    assert "Name klingt gleich (Kölner Phonetik)" in group["pairs"][0]["reasons"]
    assert "vergleichen" in err.getvalue()  # the progress bar

    out = io.StringIO()
    call_command(
        "find_duplicates", "--format", "csv", "--min-score", "0.999999", stdout=out, stderr=io.StringIO()
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:3] == ["group", "office_id", "contact_a"]
