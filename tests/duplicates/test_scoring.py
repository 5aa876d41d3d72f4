"""The scoring functions on plain values: no database."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.duplicates import scoring
from maklerwerk.duplicates.normalize import (
    blocking_keys,
    normalize_company,
    normalize_email,
    normalize_phone,
    phonetic,
    record_from_data,
    split_street,
    translit,
)
from maklerwerk.duplicates.scoring import Frequencies, level_for, score_pair

BASE: dict[str, Any] = {
    "first_name": "Thomas",
    "last_name": "Müller",
    "street": "Hauptstraße",
    "house_number": "12",
    "postal_code": "50667",
    "city": "Köln",
}
EMPTY = Frequencies()


def score(a: dict, b: dict, freq: Frequencies = EMPTY) -> scoring.PairScore:
    return score_pair(record_from_data(a), record_from_data(b), freq)


@pytest.mark.parametrize(
    "names",
    [("Müller", "Mueller", "Möller"), ("Meier", "Mayer", "Meyer"), ("Schmidt", "Schmitt")],
)
def test_it_gives_german_name_variants_one_sound(names: tuple[str, ...]) -> None:
    codes = {phonetic(translit(n)) for n in names}
    assert len(codes) == 1 and codes != {""}


def test_it_writes_out_umlauts_and_sharp_s() -> None:
    assert translit("Jürgen Weiß-Öztürk") == "juergen weiss oeztuerk"


@pytest.mark.parametrize("street", ["Hauptstraße 12", "Hauptstr. 12", "Haupt-Strasse 12", "hauptstrasse  12"])
def test_it_reads_street_spellings_as_one_address(street: str) -> None:
    assert split_street(street, "") == ("hauptstr", "12")


def test_it_keeps_house_number_suffixes() -> None:
    assert split_street("Hauptstraße", "12 A") == ("hauptstr", "12a")
    assert split_street("Lindenallee 3-5", "") == ("lindenallee", "3-5")


@pytest.mark.parametrize(
    "phone", ["+49 221 1234567", "0049 221 1234567", "0221 1234567", "(0221) 123-45-67", "0221/1234567"]
)
def test_it_reads_every_phone_notation_as_e164(phone: str) -> None:
    assert normalize_phone(phone) == "+492211234567"


def test_it_drops_company_legal_forms() -> None:
    assert (
        normalize_company("Müller Bau GmbH & Co. KG") == normalize_company("Mueller Bau KG") == "muellerbau"
    )


def test_it_finds_a_spelling_variant_with_a_sounds_alike_reason() -> None:
    result = score(BASE, {**BASE, "last_name": "Mueller", "street": "Hauptstr."})
    assert result.score >= 0.9
    assert scoring.NAME_SOUNDS_SAME in result.codes and scoring.SAME_ADDRESS in result.codes
    assert result.similarities["last_name"] == 1.0 and result.similarities["street"] == 1.0


def test_it_flags_same_email_even_with_a_typo_in_the_name() -> None:
    a = {**BASE, "emails": ["T.Mueller@Example.de "]}
    b = {"first_name": "Tomas", "last_name": "Müler", "emails": [{"value": "t.mueller@example.de"}]}
    result = score(a, b)
    assert result.score >= 0.9 and scoring.SAME_EMAIL in result.codes


def test_it_sees_swapped_first_and_last_name() -> None:
    result = score(BASE, {**BASE, "first_name": "Müller", "last_name": "Thomas"})
    assert result.score >= 0.9 and scoring.NAMES_SWAPPED in result.codes


def test_it_does_not_take_a_family_member_at_the_same_address_for_a_duplicate() -> None:
    a = {**BASE, "phones": ["0221 1234567"]}
    b = {**BASE, "first_name": "Sabine", "phones": ["+49 221 1234567"]}
    result = score(a, b)
    assert result.score < 0.5
    assert scoring.SAME_LAST_NAME in result.codes


def test_it_does_not_take_a_namesake_in_another_city_for_a_duplicate() -> None:
    other = {**BASE, "street": "Elbchaussee", "house_number": "3", "postal_code": "20095", "city": "Hamburg"}
    assert score(BASE, other).score < 0.5


def test_it_finds_a_married_name_by_birth_date_and_email() -> None:
    a = {
        "first_name": "Sabine",
        "last_name": "Schulz",
        "birth_date": "1980-04-02",
        "emails": ["sabine@example.de"],
    }
    b = {
        "first_name": "Sabine",
        "last_name": "Wagner",
        "birth_date": "1980-04-02",
        "emails": ["sabine@example.de"],
    }
    result = score(a, b)
    assert result.score >= 0.9 and scoring.SAME_FIRST_NAME_OTHER_LAST in result.codes


def test_a_common_name_counts_less_than_a_rare_one() -> None:
    """GIVEN an office where Müller and Thomas are frequent WHEN two records agree on name and city
    and PLZ only THEN only the rare name makes a possible duplicate than the common one."""
    freq = Frequencies(
        total=1_000_000,
        counts={
            "L:mueller": 10_000, "l:657": 25_000, "F:thomas": 12_000, "f:2168": 13_000, "L:nuesslebaum": 1,
            "P:50667": 30_000,
        },
    )  # fmt: skip
    common = {"first_name": "Thomas", "last_name": "Müller", "postal_code": "50667"}
    rare = {"first_name": "Thomas", "last_name": "Nüßlebaum", "postal_code": "50667"}
    assert score(common, common, freq).score < 0.5 <= score(rare, rare, freq).score


def test_levels_follow_the_thresholds() -> None:
    assert level_for(0.95, certain=0.9, possible=0.5) == "certain"
    assert level_for(0.6, certain=0.9, possible=0.5) == "possible"
    assert level_for(0.4, certain=0.9, possible=0.5) is None


# --- bad input -------------------------------------------------------------------------------


def test_empty_records_score_zero_and_have_no_keys() -> None:
    empty = record_from_data({})
    assert blocking_keys(empty) == []
    assert score({}, {}).score < 0.5


def test_one_letter_names_say_little() -> None:
    assert score({"first_name": "M", "last_name": "K"}, {"first_name": "M", "last_name": "K"}).score < 0.5


def test_non_latin_names_compare_with_themselves_and_not_with_others() -> None:
    ivan = {"first_name": "Иван", "last_name": "Иванов", "postal_code": "10115"}
    li = {"first_name": "李", "last_name": "王", "postal_code": "10115"}
    assert blocking_keys(record_from_data(ivan)) and blocking_keys(record_from_data(li))
    assert score(ivan, ivan).score >= 0.5
    assert score(ivan, li).score < 0.5


def test_emails_without_domain_are_ignored() -> None:
    assert normalize_email("max") == "" and normalize_email("max@localhost") == ""
    assert score({"emails": ["max"]}, {"emails": ["max"]}).score < 0.5


@pytest.mark.parametrize("phone", ["", "abc", "123", "++49--", "0" * 40, "+49 (0) 221 / 12 34 56-7 ext. 99"])
def test_odd_phone_numbers_do_not_crash(phone: str) -> None:
    record = record_from_data({"last_name": "Test", "phones": [phone]})
    assert all(len(key) <= 150 for key in blocking_keys(record))


def test_very_long_fields_are_cut_not_crashing() -> None:
    long = "Müller" * 2000
    data = {
        "first_name": long,
        "last_name": long,
        "street": long,
        "company_name": long,
        "city": long,
        "emails": [long + "@x.de"],
    }
    record = record_from_data(data)
    assert all(len(key) <= 150 for key in blocking_keys(record))
    assert score(data, data).score >= 0.5


FAMILY: dict[str, Any] = {
    "last_name": "Schmidt",
    "street": "Lindenstraße",
    "house_number": "4",
    "postal_code": "50667",
    "city": "Köln",
    "phones": ["0221 445566"],
}


def test_it_keeps_two_family_members_at_one_address_apart_by_their_birth_dates() -> None:
    lina = {**FAMILY, "first_name": "Lina", "birth_date": "1972-04-03"}
    nina = {**FAMILY, "first_name": "Nina", "birth_date": "2001-09-17"}
    result = score(lina, nina)
    assert level_for(result.score, certain=0.9, possible=0.5) is None
    assert scoring.SAME_LAST_NAME in result.codes and scoring.SAME_PHONE in result.codes


def test_it_reads_a_different_first_letter_as_another_name_not_a_typo() -> None:
    result = score({**FAMILY, "first_name": "Lina"}, {**FAMILY, "first_name": "Nina"})
    assert level_for(result.score, certain=0.9, possible=0.5) is None
    assert scoring.SAME_LAST_NAME in result.codes


def test_it_does_not_take_similar_looking_names_for_a_typo() -> None:
    result = score({**FAMILY, "first_name": "Marie"}, {**FAMILY, "first_name": "Manfred"})
    assert result.score < 0.5


def test_it_flags_a_first_name_sounding_the_same_with_the_same_birth_date_as_certain() -> None:
    jon = {"first_name": "Jon", "last_name": "Meyer", "postal_code": "20095", "birth_date": "1980-02-01"}
    result = score(jon, {**jon, "first_name": "John"})
    assert level_for(result.score, certain=0.9, possible=0.5) == "certain"
    assert scoring.NAME_SOUNDS_SAME in result.codes and scoring.SAME_BIRTH_DATE in result.codes


def test_it_still_finds_a_typo_in_the_first_name_at_the_same_address() -> None:
    result = score({**FAMILY, "first_name": "Martin"}, {**FAMILY, "first_name": "Marzin"})
    assert level_for(result.score, certain=0.9, possible=0.5) == "certain"
    assert scoring.NAME_SIMILAR in result.codes


def test_it_reads_a_namesake_with_another_birth_date_and_street_as_someone_else() -> None:
    hilda = {"first_name": "Hilda", "last_name": "Gehringer", "postal_code": "64747", "city": "Wittenberg"}
    a = {**hilda, "street": "Zirmeweg", "house_number": "62", "birth_date": "1971-11-18"}
    b = {**hilda, "street": "Kathrin-Ladeck-Platz", "house_number": "179", "birth_date": "2002-03-28"}
    assert score(a, b).score < 0.5


def test_it_takes_a_swapped_day_and_month_for_the_same_birth_date_typed_wrong() -> None:
    a = {**BASE, "birth_date": "1970-03-04"}
    assert score(a, {**a, "birth_date": "1970-04-03"}).similarities["birth_date"] == 0.8
    assert score(a, {**a, "birth_date": "1970-03-05"}).similarities["birth_date"] == 0.8


def test_its_koelner_phonetik_agrees_with_the_cologne_phonetics_package() -> None:
    import random

    import cologne_phonetics

    from maklerwerk.duplicates.normalize import koelner_phonetik

    rng = random.Random(3)
    words = ["mueller", "moeller", "meier", "mayer", "schmidt", "schmitt", "wikipedia", "xaver", "chemnitz"]
    words += [
        "cx",
        "xx",
        "ca",
        "cl",
        "sc",
        "zc",
        "dsch",
        "pfeiffer",
        "philipp",
        "becker",
        "axel",
        "h",
        "ab1c",
    ]
    words += [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyzchxsz") for _ in range(rng.randint(1, 10)))
        for _ in range(3000)
    ]
    # without c and x (coded by a translation table): p before h, d and t before s and z
    words += ["stadt", "tz", "ds", "phph", "hh", "aeiou", "o'neil", "sophie", "lutz", "schmidts"]
    words += [
        "".join(rng.choice("abdefghijklmnopqrstuvwyzphdtsz") for _ in range(rng.randint(1, 10)))
        for _ in range(3000)
    ]
    for word in words:
        assert koelner_phonetik(word) == cologne_phonetics.encode(word)[0][1], word


def test_reading_many_records_by_column_gives_what_reading_them_one_by_one_gives() -> None:
    from maklerwerk.duplicates.normalize import records_from_columns

    rows = [
        {**BASE, "birth_date": "21.3.1970", "emails": [" T.Mueller@Example.de "], "phones": ["0221 1234567"]},
        {"first_name": "Ölaf", "last_name": "", "street": "Lindenallee 3-5", "company_name": "Bau GmbH"},
        {"first_name": "", "last_name": "Иванов", "postal_code": "5 0667", "city": "Köln-Süd"},
    ]
    names = ["first_name", "last_name", "street", "house_number", "postal_code", "city", "birth_date"]
    columns = {
        name: [row.get(name, "") for row in rows] for name in [*names, "company_name", "emails", "phones"]
    }
    assert records_from_columns(columns) == [record_from_data(row) for row in rows]


def test_a_birth_date_many_contacts_share_says_less_than_a_rare_one() -> None:
    """A placeholder date (01.01.1900) shared by half the office does not make two Müllers one person."""
    freq = Frequencies(total=10_000, counts={"B:1900-01-01": 5_000, "L:mueller": 300, "F:thomas": 200})
    a = {"first_name": "Thomas", "last_name": "Müller", "birth_date": "1900-01-01", "city": "Köln"}
    b = {**a, "city": "Bonn"}
    assert score(a, b, freq).score < 0.5
    assert score({**a, "birth_date": "1971-06-02"}, {**b, "birth_date": "1971-06-02"}, freq).score >= 0.5


def test_it_finds_a_duplicate_whose_postal_code_and_birth_date_have_swapped_digits() -> None:
    a = {**BASE, "birth_date": "1979-02-18"}
    b = {**BASE, "postal_code": "50676", "birth_date": "1979-02-81"}
    result = score(a, b)
    assert result.score >= 0.9
    assert result.similarities["postal_code"] == 0.8 and result.similarities["birth_date"] == 0.8


def test_it_finds_a_duplicate_with_swapped_and_mistyped_names_when_the_birth_date_agrees() -> None:
    a = {**BASE, "birth_date": "1960-07-01"}
    b = {**BASE, "first_name": "Müler", "last_name": "Tomasz", "birth_date": "1960-07-01"}
    result = score(a, b)
    assert result.score >= 0.5 and scoring.NAMES_SWAPPED in result.codes


def test_the_batch_search_compares_the_same_candidates_as_the_check_on_save() -> None:
    """The Dubletten search builds its blocks column by column; they must be the blocks of the
    indexed keys the single check looks up."""
    import random

    from maklerwerk.duplicates.blocking import key_runs

    rng = random.Random(1)
    names = ["Müller", "Mueller", "Meier", "Schmidt", "Nüßlebaum", ""]
    rows = [
        {
            "first_name": rng.choice(names),
            "last_name": rng.choice(names),
            "birth_date": rng.choice(["", "1970-03-21", "1980-01-02"]),
            "street": rng.choice(["", "Hauptstraße", "Ringstr."]),
            "house_number": rng.choice(["", "1", "2a"]),
            "postal_code": rng.choice(["", "50667", "10115"]),
            "company_name": rng.choice(["", "Bau GmbH", "Bau KG"]),
            "emails": rng.choice([[], ["a@example.de"], ["a@example.de", "b@example.de"]]),
            "phones": rng.choice([[], ["0221 1234567"]]),
        }
        for _ in range(300)
    ]
    records = [record_from_data(row) for row in rows]

    def groups(pairs: list[tuple[object, int]]) -> set[tuple[int, ...]]:
        members: dict[object, list[int]] = {}
        for key, n in pairs:
            members.setdefault(key, []).append(n)
        return {tuple(sorted(m)) for m in members.values()}

    by_string = [(key, n) for n, r in enumerate(records) for key in blocking_keys(r)]
    runs = key_runs(records, limited=False)
    for kind, kind_runs in runs.items():
        expected = groups([(key, n) for key, n in by_string if key.startswith(f"{kind}:")])
        assert {tuple(block) for block in kind_runs.blocks()} == {g for g in expected if len(g) > 1}, kind


def test_short_names_that_only_share_a_short_sound_code_are_two_people() -> None:
    """Ida and Otto Müller at one address are a couple, though Kölner Phonetik gives both "02"."""
    assert phonetic(translit("Ida")) == phonetic(translit("Otto"))
    ida = {**BASE, "first_name": "Ida", "birth_date": "1960-08-16"}
    otto = {**BASE, "first_name": "Otto", "birth_date": "1958-03-26"}
    assert score(ida, otto).score < 0.5
    # a short code with the same first letter still counts: Meier / Mayer
    assert (
        scoring.NAME_SOUNDS_SAME
        in score({**BASE, "last_name": "Meier"}, {**BASE, "last_name": "Mayer"}).codes
    )
