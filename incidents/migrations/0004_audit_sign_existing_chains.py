"""Re-sign the chains written before the audit chain was keyed.

Each chain is first checked as it was (unkeyed SHA-256); an intact chain is signed again with the
current audit key and given its head. A chain that was already broken is left as it is, with no
head, so that ``verify_audit`` goes on reporting it instead of a re-signature laundering it.
"""

import hashlib
import hmac

from django.db import migrations

from incidents.audit import GENESIS, audit_canonical, audit_chain_label, audit_head_message, audit_key_id


def _intact_unkeyed(events) -> bool:
    previous = GENESIS
    for position, event in enumerate(events, start=1):
        if event.seq != position or event.prev_hash != previous:
            return False
        if hashlib.sha256(audit_canonical(event)).hexdigest() != event.hash:
            return False
        previous = event.hash
    return True


def _sign(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_existing_chains(apps, schema_editor):
    from django.conf import settings

    AuditEvent = apps.get_model("incidents", "AuditEvent")
    AuditHead = apps.get_model("incidents", "AuditHead")
    key_text = settings.AUDIT_CHAIN_KEYS[0]
    key, key_id = key_text.encode("utf-8"), audit_key_id(key_text)
    chains = AuditEvent.objects.filter(key_id="").values_list("incident_id", flat=True).distinct()
    for incident_id in set(chains):
        events = list(AuditEvent.objects.filter(incident_id=incident_id).select_related("incident").order_by("seq"))
        if not _intact_unkeyed(events):
            continue
        previous = GENESIS
        for event in events:
            event.prev_hash = previous
            event.hash = _sign(key, audit_canonical(event))
            AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash, key_id=key_id)
            previous = event.hash
        last = events[-1]
        chain = audit_chain_label(incident_id)
        AuditHead.objects.create(
            chain=chain, incident_id=incident_id, seq=last.seq, hash=last.hash, key_id=key_id,
            signature=_sign(key, audit_head_message(chain, last.seq, last.hash)), updated_at=last.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_audit_keyed_chain")]

    operations = [migrations.RunPython(sign_existing_chains, migrations.RunPython.noop)]
