"""SMTP passwords stored encrypted (they were plain text): encrypt the existing ones, both ways."""

from django.db import migrations, models

PURPOSE = "mailing.smtp"  # as mailing.models.KEY_PURPOSE


def encrypt_passwords(apps, schema_editor):
    from maklerwerk.core.crypto import encrypt

    SmtpSettings = apps.get_model("mailing", "SmtpSettings")
    for conf in SmtpSettings.objects.exclude(password=""):
        conf.password_encrypted = encrypt(conf.password, purpose=PURPOSE)
        conf.save(update_fields=["password_encrypted"])


def decrypt_passwords(apps, schema_editor):
    from maklerwerk.core.crypto import SecretUnreadable, decrypt

    SmtpSettings = apps.get_model("mailing", "SmtpSettings")
    for conf in SmtpSettings.objects.exclude(password_encrypted=""):
        try:
            conf.password = decrypt(conf.password_encrypted, purpose=PURPOSE)
        except SecretUnreadable:
            conf.password = ""  # another SECRET_KEY: the user enters it again
        conf.save(update_fields=["password"])


class Migration(migrations.Migration):
    dependencies = [("mailing", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="smtpsettings",
            name="password_encrypted",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_passwords, decrypt_passwords),
        migrations.RemoveField(model_name="smtpsettings", name="password"),
    ]
