"""Field encryption and keyed hashes for the personal data of affected people.

Values are sealed with AES-256-GCM under the first key of ``FIELD_ENCRYPTION_KEYS``
and opened with whichever key sealed them, so rotating means putting a new key
first, running ``manage.py rotate_recipient_keys`` and, once it reports nothing
left under the old key, removing that key (README, "Key rotation").

A sealed value reads ``bl1:<key id>:<base64url(nonce || ciphertext || tag)>``. The
key id is derived from the key (never the key itself), so a row says which key
opens it without a lookup table, and the ``bl1`` version leaves room for a new
format without guessing.

Duplicates are found through HMAC-SHA256 under ``FIELD_HASH_KEY`` over a
normalised value: equal inputs give equal hashes, and without the key the hash
says nothing about the address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

FORMAT = "bl1"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """Raised when a sealed value names no configured key, or was altered."""


@dataclass(frozen=True)
class _Key:
    key_id: str
    aead: AESGCM


def _derive(secret: str) -> bytes:
    # Keys arrive as strings from the environment; HKDF turns any of them into exactly
    # 32 bytes, so an operator can paste the output of any random generator.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"breachline field encryption").derive(
        secret.encode("utf-8")
    )


@lru_cache(maxsize=8)
def _keyring(secrets_: tuple[str, ...]) -> tuple[_Key, ...]:
    if not secrets_:
        raise DecryptionError("FIELD_ENCRYPTION_KEYS is empty: no key to encrypt or decrypt with.")
    ring = []
    for secret in secrets_:
        material = _derive(secret)
        key_id = hmac.new(material, b"key id", hashlib.sha256).hexdigest()[:8]
        ring.append(_Key(key_id=key_id, aead=AESGCM(material)))
    return tuple(ring)


def keyring() -> tuple[_Key, ...]:
    """Return the configured keys, the encrypting one first."""
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def current_key_id() -> str:
    return keyring()[0].key_id


def seal(plaintext: bytes, *, context: bytes) -> str:
    """Return ``plaintext`` encrypted under the first key, bound to ``context``.

    ``context`` is authenticated but not stored: a value copied to another row (with
    another context) fails to open instead of showing the wrong person's details.
    """
    key = keyring()[0]
    nonce = secrets.token_bytes(_NONCE_BYTES)
    body = base64.urlsafe_b64encode(nonce + key.aead.encrypt(nonce, plaintext, context)).decode("ascii")
    return f"{FORMAT}:{key.key_id}:{body}"


def key_id_of(sealed: str) -> str:
    """Return the id of the key that sealed ``sealed``; raises DecryptionError if it is no sealed value."""
    parts = sealed.split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT:
        raise DecryptionError("Not a sealed value.")
    return parts[1]


def unseal(sealed: str, *, context: bytes) -> bytes:
    """Return the plaintext of ``sealed``; raises DecryptionError for an unknown key or altered data."""
    key_id = key_id_of(sealed)
    key = next((candidate for candidate in keyring() if candidate.key_id == key_id), None)
    if key is None:
        raise DecryptionError(f"Sealed under key {key_id}, which is not in FIELD_ENCRYPTION_KEYS.")
    try:
        raw = base64.urlsafe_b64decode(sealed.split(":", 2)[2])
        return key.aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("The sealed value was altered or belongs to another record.") from exc


@lru_cache(maxsize=4)
def _hash_template(key: str) -> hmac.HMAC:
    return hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256)


def keyed_hash(kind: str, normalised: str) -> str:
    """Return the hex HMAC-SHA256 of ``normalised`` under FIELD_HASH_KEY, separated by ``kind``."""
    mac = _hash_template(settings.FIELD_HASH_KEY).copy()
    mac.update(f"{kind}\x00{normalised}".encode())
    return mac.hexdigest()
