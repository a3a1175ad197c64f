"""An affected person: who they are, where they live, and how to reach them (encrypted at rest)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.channels.push import JPUSH_PREFIX
from notifications.models import crypto
from notifications.models.indexes import EqualityIndex

__all__ = ["Recipient", "new_personal_token"]

# The decrypted contact details, all kept in one sealed column: one AES-GCM operation per
# person on import and on sending, and one column to re-encrypt on key rotation.
CONTACT_FIELDS = (
    "name", "email", "phone", "postal_address", "fcm_token", "webpush_subscription",
    "guardian_email", "guardian_phone", "jpush_registration_id", "guardian_name",
)


def new_personal_token() -> str:
    """Return 256 bits of randomness, URL-safe: the only secret guarding a person's notice page."""
    return secrets.token_urlsafe(32)


def email_hash(email: str) -> str:
    return crypto.keyed_hash("email", email.strip().lower()) if email else ""


def phone_hash(e164: str) -> str:
    return crypto.keyed_hash("phone", e164) if e164 else ""


def _contact_property(field: str) -> property:
    def getter(self: Recipient) -> Any:
        return self.contact.get(field) or ("" if field != "webpush_subscription" else None)

    def setter(self: Recipient, value: Any) -> None:
        self.set_contact(**{field: value})

    return property(getter, setter, doc=f"The decrypted {field.replace('_', ' ')}.")


class Recipient(models.Model):
    """One affected person of one incident.

    Name and contact details live only in ``contact_sealed``; ``email_hash`` and
    ``phone_hash`` (keyed, see ``notifications.models.crypto``) find duplicates, and the
    ``has_*`` flags say which channels reach the person (the guardian's for a minor)
    so that fan-out can select people in SQL without decrypting anyone.
    """

    # Not indexed on its own: every index below starts with the incident or is scoped by it.
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    external_id = models.CharField(max_length=200, help_text="The organisation's own id for the person.")
    jurisdiction = models.CharField(max_length=10, help_text="Residence: ISO 3166-1 alpha-2 or ISO 3166-2 (US).")
    language = models.CharField(max_length=10, default="en")
    data_categories = models.JSONField(default=list, blank=True, help_text="Category codes exposed for this person.")
    is_minor = models.BooleanField(default=False)
    contact_sealed = models.TextField(help_text="AES-GCM sealed JSON of the name and contact details.")
    email_hash = models.CharField(max_length=64, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    has_email = models.BooleanField(default=False)
    has_sms = models.BooleanField(default=False)
    has_push = models.BooleanField(default=False)
    has_letter = models.BooleanField(default=False)
    personal_token = models.CharField(max_length=64, default=new_personal_token, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["incident_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "external_id"], name="one_recipient_per_external_id"),
            # A constraint rather than unique=True: looked up by equality only, so no second
            # (LIKE) index on PostgreSQL.
            models.UniqueConstraint(fields=["personal_token"], name="one_recipient_per_personal_token"),
        ]
        indexes = [
            # Partial: people without an e-mail (or phone) share the empty value, and a hash
            # index slows down with many equal keys; the importer's lookups exclude it too.
            EqualityIndex(fields=["email_hash"], name="recipient_email_hash", condition=~models.Q(email_hash="")),
            EqualityIndex(fields=["phone_hash"], name="recipient_phone_hash", condition=~models.Q(phone_hash="")),
            models.Index(fields=["incident", "jurisdiction"], name="recipient_jurisdiction"),
            # The people page goes through an incident's people in id order, a page after another.
            models.Index(fields=["incident", "id"], name="recipient_keyset"),
        ]
        permissions = [
            ("import_recipients", "Can import affected people for an incident"),
            ("view_recipient_contact", "Can see affected people's names and contact details"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.jurisdiction})"

    name = _contact_property("name")
    email = _contact_property("email")
    phone = _contact_property("phone")
    postal_address = _contact_property("postal_address")
    fcm_token = _contact_property("fcm_token")
    jpush_registration_id = _contact_property("jpush_registration_id")
    webpush_subscription = _contact_property("webpush_subscription")
    guardian_email = _contact_property("guardian_email")
    guardian_phone = _contact_property("guardian_phone")
    guardian_name = _contact_property("guardian_name")

    @property
    def contact(self) -> dict[str, Any]:
        """Return the decrypted contact details (decrypted once per instance)."""
        cached = self.__dict__.get("_contact")
        if cached is None:
            cached = json.loads(crypto.unseal(self.contact_sealed, context=self._context())) if self.contact_sealed else {}
            self.__dict__["_contact"] = cached
        return cached

    def set_contact(self, **changes: Any) -> None:
        """Replace some contact details; re-seals them and refreshes the hashes and channel flags."""
        unknown = set(changes) - set(CONTACT_FIELDS)
        if unknown:
            raise TypeError(f"Unknown contact fields: {', '.join(sorted(unknown))}")
        contact = {key: value for key, value in {**self.contact, **changes}.items() if value}
        self.__dict__["_contact"] = contact
        for column, value in sealed_columns(contact, is_minor=self.is_minor, personal_token=self.personal_token).items():
            setattr(self, column, value)

    def refresh_channel_flags(self) -> None:
        for column, value in channel_flags(self.contact, is_minor=self.is_minor).items():
            setattr(self, column, value)

    def contact_for(self, channel: str) -> str | None:
        """Return the address for ``channel`` ("email", "sms", "push", "letter"), or None.

        A minor's notice goes to the guardian: e-mail and SMS use the guardian's contact,
        and push (which reaches the child's own device) is not used. Push answers the
        JPush registration id (``jpush:<id>``: Android phones in mainland China, which FCM
        does not reach), else the FCM token, else the Web Push subscription as JSON (the
        push transport's formats).
        """
        if channel == "email":
            return (self.guardian_email if self.is_minor else self.email) or None
        if channel == "sms":
            return (self.guardian_phone if self.is_minor else self.phone) or None
        if channel == "push":
            addresses = self.push_addresses()
            return addresses[0] if addresses and not self.is_minor else None
        if channel == "letter":
            return self.postal_address or None
        return None

    def push_addresses(self) -> list[str]:
        """Return every push address of the person: the JPush id, the FCM token, then the Web Push subscription."""
        addresses = [f"{JPUSH_PREFIX}{self.jpush_registration_id}"] if self.jpush_registration_id else []
        addresses += [self.fcm_token] if self.fcm_token else []
        if self.webpush_subscription:
            addresses.append(json.dumps(self.webpush_subscription, separators=(",", ":")))
        return addresses

    @property
    def personal_url(self) -> str:
        return f"{settings.BREACHLINE_BASE_URL}/n/{self.personal_token}/"

    def _context(self) -> bytes:
        return recipient_context(self.personal_token)


def recipient_context(personal_token: str) -> bytes:
    """The associated data binding a sealed contact to its row (the token never changes)."""
    return f"recipient:{personal_token}".encode()


def seal_contact(contact: dict[str, Any], *, personal_token: str) -> str:
    payload = json.dumps({key: value for key, value in contact.items() if value}, separators=(",", ":"))
    return crypto.seal(payload.encode("utf-8"), context=recipient_context(personal_token))


def channel_flags(contact: dict[str, Any], *, is_minor: bool) -> dict[str, bool]:
    """Which channels reach the person: a minor through the guardian's e-mail and phone, never push."""
    prefix = "guardian_" if is_minor else ""
    return {
        "has_email": bool(contact.get(f"{prefix}email")),
        "has_sms": bool(contact.get(f"{prefix}phone")),
        "has_push": not is_minor
        and bool(contact.get("jpush_registration_id") or contact.get("fcm_token") or contact.get("webpush_subscription")),
        "has_letter": bool(contact.get("postal_address")),
    }


def sealed_columns(contact: dict[str, Any], *, is_minor: bool, personal_token: str) -> dict[str, Any]:
    """The stored columns derived from the contact details: the sealed JSON, the keyed hashes
    that find duplicates, and the channel flags. The importer calls it without building a model."""
    return {
        "contact_sealed": seal_contact(contact, personal_token=personal_token),
        "email_hash": email_hash(contact.get("email", "")),
        "phone_hash": phone_hash(contact.get("phone", "")),
        **channel_flags(contact, is_minor=is_minor),
    }
