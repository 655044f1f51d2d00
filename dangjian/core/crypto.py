"""Field encryption for sensitive identifiers (ID numbers) and a keyed hash to look them up (DESIGN §14)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _key_material() -> bytes:
    return (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"dangjian-field-encryption:" + _key_material()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def blind_index(plain: str) -> str:
    """A stable keyed hash: equal inputs match, the value cannot be read back."""
    if not plain:
        return ""
    key = hashlib.sha256(b"dangjian-blind-index:" + _key_material()).digest()
    return hmac.new(key, plain.upper().encode(), hashlib.sha256).hexdigest()
