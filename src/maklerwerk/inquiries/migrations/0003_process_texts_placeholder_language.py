"""Process steps move from `{contact}` placeholders to the one placeholder language.

Mail subjects and texts and task titles of existing steps said `{contact}`, `{property}` and
`{external_id}`; they now say `{{ kontakt.name }}`, `{{ objekt.titel }}` and `{{ objekt.kennung }}`
(the same values), so every step goes on working and no second syntax remains.
"""

from django.db import migrations

OLD_TO_NEW = {
    "{contact}": "{{ kontakt.name }}",
    "{property}": "{{ objekt.titel }}",
    "{external_id}": "{{ objekt.kennung }}",
}
TEXT_PARAMS = ("subject", "body", "title")


def _convert(params, mapping):
    changed = dict(params)
    for key in TEXT_PARAMS:
        value = changed.get(key)
        if isinstance(value, str):
            for old, new in mapping.items():
                value = value.replace(old, new)
            changed[key] = value
    return changed


def _migrate(apps, mapping):
    ProcessStep = apps.get_model("inquiries", "ProcessStep")
    for step in ProcessStep.objects.filter(kind__in=["send_mail", "create_task"]).iterator():
        params = step.params if isinstance(step.params, dict) else {}
        converted = _convert(params, mapping)
        if converted != params:
            step.params = converted
            step.save(update_fields=["params"])


def forwards(apps, schema_editor):
    _migrate(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _migrate(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0002_expose_template_and_offer")]

    operations = [migrations.RunPython(forwards, backwards)]
