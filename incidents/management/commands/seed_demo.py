"""Demo data for a first look: four users and one incident. Safe to run twice."""

import secrets
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from incidents import services
from incidents.models import Incident, OrganisationProfile

# Two legal users, so a notice written by one can be approved by the other (four eyes).
DEMO_USERS = {"responder": "responder", "legal": "legal", "legal2": "legal", "admin": "admin"}
DEMO_PROFILE = {
    "legal_name": "Example Cloud Services Pte. Ltd.",
    "dpo_name": "Data Protection Officer, Example Cloud Services",
    "dpo_email": "dpo@example.com",
    "dpo_phone": "+65 6000 0000",
    "dpo_address": "1 Example Road, Singapore 000001",
    "website": "https://www.example.com/privacy",
    "eu_main_establishment": "",
    "regimes": [],
    "default_role": "controller",
    "identity_protection_offer": "24 months of free credit monitoring and identity restoration services",
    "identity_protection_months": 24,
    "call_centre_phone": "+1 800 555 0100",
    "call_centre_hours": "Monday to Friday, 9:00 to 18:00 (local time)",
    "eu_representative": "Example Representation GmbH, Musterstrasse 1, 10115 Berlin, Germany; eu-rep@example.com",
    "pipl_representative": "Example Cloud Services (Shanghai) Co., Ltd., 1 Example Road, Shanghai; pipl@example.com",
}


def sender_identities() -> dict:
    """The demo organisation sends from what this installation is configured with (DEFAULT_FROM_EMAIL,
    TWILIO_FROM_NUMBER, BREACHLINE_BASE_URL), so its notices promise exactly what their messages come from."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    hosts = {address.rpartition("@")[2], (urlsplit(settings.BREACHLINE_BASE_URL).hostname or "").lower()}
    return {"email_sender": address, "sms_sender": settings.TWILIO_FROM_NUMBER or "ExampleCloud",
            "sending_domains": sorted(host for host in hosts if "." in host and not host.replace(".", "").isdigit())}


class Command(BaseCommand):
    help = "Create the demo users (responder, legal, legal2, admin) and one demo incident."

    @transaction.atomic
    def handle(self, *args, **options):
        for username, group in DEMO_USERS.items():
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"User {username} exists; its password is unchanged "
                                  f"(to set a new one: python manage.py changepassword {username}).")
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username, password=password, email=f"{username}@breachline.invalid",
                is_staff=True, is_superuser=username == "admin",
            )
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"User {username} password: {password}   (shown once)")
        if not OrganisationProfile.objects.exists():
            services.organisation_profile_update(actor=User.objects.get(username="admin"), **DEMO_PROFILE,
                                                 **sender_identities())
        if not Incident.objects.exists():
            incident = self._demo_incident(User.objects.get(username="responder"))
            self.stdout.write(f"Demo incident {incident.ref}: {incident.title} ({incident.state})")

    @staticmethod
    def _notice_facts(aware_at):
        """What the notices and the regulators' reports say beyond the planner's facts."""
        return {
            "cause": "During a storage migration, the access setting of a snapshot of the customer account database "
                     "was changed from private to public by mistake.",
            "discovery": "An external security researcher reported the open snapshot to our security mailbox.",
            "discovered_at": aware_at,
            "exposure_started_at": aware_at - timedelta(days=2),
            "exposure_ended_at": aware_at + timedelta(minutes=5),
            "access_status": "confirmed", "exfiltration_status": "suspected",
            "secrets_protection": "Passwords were stored as bcrypt hashes (cost 12), each with its own salt; none "
                                  "was stored in readable form.",
            "measures": [
                {"at": aware_at + timedelta(minutes=5), "text": "Public access to the snapshot revoked."},
                {"at": aware_at + timedelta(minutes=10),
                 "text": "Access logs copied to write-once storage, then the snapshot deleted."},
                {"at": aware_at + timedelta(minutes=15),
                 "text": "Keys of the database service accounts rotated (customers' passwords are unchanged)."},
            ],
            "measures_planned": "A second person must approve any change to the sharing setting of a snapshot; "
                                "public snapshots raise an alert.",
            "people_informed": "will_inform", "people_informed_at": aware_at + timedelta(days=2),
            "development": "No further exposure: the snapshot is deleted. Copies taken before may be used for "
                           "phishing or to try the passwords' hashes against other services.",
            "attacker_leads": "The access logs show downloads from two IP addresses, kept for the police.",
            "evidence_preservation": "Storage access logs and the snapshot's metadata were copied to write-once "
                                     "storage before the snapshot was deleted.",
            "support_requested": "None requested at this stage.",
        }

    def _demo_incident(self, responder):
        """An incident contained and assessed, ready for legal to draft and approve notices.

        Awareness is placed 20 minutes ago, so that even the shortest clock (China's 4 hours) is still
        running when a newcomer looks: every deadline on the page is upcoming, none overdue.
        """
        aware_at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=20)
        incident = services.incident_create(
            actor=responder,
            title="Exposed cloud database with customer account data",
            description=(
                "A misconfigured cloud database snapshot was reachable from the internet. It held account "
                "records of customers in China, Singapore, Germany and California."
            ),
            systems_affected="Customer account service; cloud database snapshot store",
            occurred_at=aware_at - timedelta(days=2),
            aware_at=aware_at,
            affected={"CN": 1_200_000, "SG": 800, "DE": 1_500, "US-CA": 650},
            data_categories=["name", "email_address", "phone_number", "username", "password", "ip_address",
                             "device_identifier"],
            encrypted=False,
            key_compromised=False,
            **self._notice_facts(aware_at),
        )
        incident = services.incident_transition(
            actor=responder, incident=incident, name="contain",
            reason="Public access to the snapshot revoked, snapshot deleted, all database credentials rotated.",
        )
        services.risk_assessment_update(
            actor=responder, incident=incident,
            assessment={"ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
                        "availability": "none", "malicious": True},
        )
        return services.incident_transition(actor=responder, incident=incident, name="assess")
