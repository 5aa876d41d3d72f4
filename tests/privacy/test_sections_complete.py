"""Every model that points at a contact is part of the Datenauskunft and the erasure, or is listed
here with the reason it is not: a new app cannot forget the person's data silently."""

from django.apps import apps

from maklerwerk.core.personal_data import PERSONAL_DATA

# model label → why its rows are no personal data of their own (or are handled elsewhere)
LEFT_OUT = {
    "duplicates.MatchProfile": "derived comparison values; removed by contacts.duplicates.contact_deleted",
    "duplicates.MatchKey": "derived name keys; removed by contacts.duplicates.contact_deleted",
    "duplicates.DuplicatePair": "a cached score between two contacts; removed with the name keys",
    "duplicates.NotDuplicate": "an agent's decision about two contacts, no data about the person",
    "duplicates.MergeRecord": "the merge journal of the contact that survived (history of the merge)",
    "privacy.RetentionMark": "the office's own marks on records (proof of the retention duty)",
    "privacy.LegalHold": "the office's legal hold (proof of the duty)",
    "privacy.ErasureRequest": "the request itself, kept as proof of the answer",
    "inquiries.Inquiry.duplicate_of": "the inquiry row of another contact",
    "davsync.ContactUid": "the contact's vCard UID, a random UUID; removed with the contact",
    "davsync.SyncFlag": "whether the contact is synced to an address book; no data about the person",
    "davsync.DavItem": "sync state of the contact's card on a server (href, ETag, hashes): kept so that an "
    "erased contact's card is overwritten or deleted on the server, never imported again",
}


def test_every_model_about_a_contact_is_a_personal_data_section_or_left_out_with_a_reason() -> None:
    covered = {(s.model, s.contact_lookup.split("|")[0].split("__")[0]) for s in PERSONAL_DATA}
    covered_models = {s.model for s in PERSONAL_DATA}
    missing = []
    for model in apps.get_models(include_auto_created=False):
        label = model._meta.label
        if not model.__module__.startswith("maklerwerk."):
            continue  # models other tests declare
        for field in model._meta.get_fields():
            if not ((field.is_relation and field.concrete) or field.many_to_many) or field.auto_created:
                continue
            if field.related_model is None or field.related_model._meta.label != "contacts.Contact":
                continue
            if label in LEFT_OUT or f"{label}.{field.name}" in LEFT_OUT or label == "contacts.Contact":
                continue
            if label not in covered_models:
                missing.append(f"{label}.{field.name}")
    assert not missing, f"register a PersonalDataSection (or list with a reason): {missing}"
    assert covered  # the registry is filled at start-up
