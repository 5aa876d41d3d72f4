"""Encryption of stored secrets (mail server passwords) with Fernet (AES-128-CBC + HMAC-SHA256).

One key per purpose, derived from SECRET_KEY with HKDF-SHA256, so no extra setting is needed;
rotating SECRET_KEY means entering the passwords again (decrypt then fails with a clear error).
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from django.conf import settings


@functools.cache
def _fernet(secret_key: str, purpose: str) -> Any:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    info = f"maklerwerk.{purpose}".encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plain: str, *, purpose: str) -> str:
    return _fernet(settings.SECRET_KEY, purpose).encrypt(plain.encode()).decode()


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another SECRET_KEY (or was tampered with)."""


def decrypt(token: str, *, purpose: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(settings.SECRET_KEY, purpose).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("Das gespeicherte Passwort ist nicht lesbar; bitte neu eingeben.") from exc


def encrypt_bytes(plain: bytes, *, purpose: str) -> bytes:
    """Files kept encrypted at rest (GwG ID copies): the Fernet token of `plain`."""
    return bytes(_fernet(settings.SECRET_KEY, purpose).encrypt(plain))


def decrypt_bytes(token: bytes, *, purpose: str) -> bytes:
    """`plain` back from `encrypt_bytes`; SecretUnreadable when the key changed or the file was altered."""
    from cryptography.fernet import InvalidToken

    try:
        return bytes(_fernet(settings.SECRET_KEY, purpose).decrypt(token))
    except InvalidToken as exc:
        raise SecretUnreadable("Die gespeicherte Datei ist nicht lesbar (Schlüssel geändert).") from exc
