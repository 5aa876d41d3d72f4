"""ID copies and Transparency Register extracts, encrypted at rest.

The bytes are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, `core.crypto`'s key derivation with
a purpose of their own) before they reach the storage: what lies on the disk or in the bucket is
ciphertext under a random name. Only `read_encrypted` turns it back, and only the services call it,
after the GwG permission check and with a logged view.
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from maklerwerk.core.crypto import SecretUnreadable, decrypt_bytes, encrypt_bytes
from maklerwerk.core.exceptions import ApplicationError

PURPOSE = "gwg.files"
MAX_BYTES = 15 * 1024 * 1024
ALLOWED = {
    b"%PDF": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
}


def sniff(data: bytes) -> str:
    """The file's type from its first bytes: PDF, JPEG or PNG; anything else is refused in German."""
    if not data:
        raise ApplicationError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ApplicationError(_("The file is larger than 15 MB."))
    for magic, mime in ALLOWED.items():
        if data.startswith(magic):
            return mime
    raise ApplicationError(_("Only PDF, JPEG or PNG files can be stored as a copy."))


def store_encrypted(data: bytes, *, folder: str) -> str:
    token = encrypt_bytes(data, purpose=PURPOSE)
    return default_storage.save(f"gwg/{folder}/{secrets.token_hex(16)}.enc", ContentFile(token))


def read_encrypted(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        token = f.read()
    try:
        return decrypt_bytes(token, purpose=PURPOSE)
    except SecretUnreadable as exc:
        raise ApplicationError(
            _("The stored copy cannot be decrypted (the server's secret key changed).")
        ) from exc


def delete_stored(name: str) -> None:
    if name:
        default_storage.delete(name)


def delete_all(names: list[str]) -> None:
    for name in names:
        delete_stored(name)
