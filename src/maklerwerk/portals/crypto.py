"""Portal passwords and IS24 secrets, encrypted with the shared `core.crypto` (their own key)."""

from __future__ import annotations

from maklerwerk.core import crypto
from maklerwerk.core.crypto import SecretUnreadable

__all__ = ["SecretUnreadable", "decrypt", "encrypt"]

PURPOSE = "portals.credentials"  # the key's HKDF info since the first stored secret: never change it


def encrypt(plain: str) -> str:
    return crypto.encrypt(plain, purpose=PURPOSE) if plain else ""


def decrypt(token: str) -> str:
    return crypto.decrypt(token, purpose=PURPOSE) if token else ""
