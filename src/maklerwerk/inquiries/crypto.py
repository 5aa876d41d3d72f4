"""Mailbox passwords of the inquiry manager, encrypted with the shared `core.crypto` (their own key)."""

from __future__ import annotations

from maklerwerk.core import crypto
from maklerwerk.core.crypto import SecretUnreadable

__all__ = ["SecretUnreadable", "decrypt", "encrypt"]

PURPOSE = "inquiries.mailbox"  # the key's HKDF info since the first stored password: never change it


def encrypt(plain: str) -> str:
    return crypto.encrypt(plain, purpose=PURPOSE)


def decrypt(token: str) -> str:
    return crypto.decrypt(token, purpose=PURPOSE)
