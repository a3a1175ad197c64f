"""Seed the emergency plan: four incident types with their checklists, and who may tick them off.

Admins edit the types and items afterwards in the Django admin; responders and legal mark items done,
waive them or assign them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COMMON_END = [
    "Preserve evidence: logs, images and messages, with who collected them and when",
    "Brief the data protection officer",
    "Notify the insurer under the cyber policy",
]
PLANS = {
    "unauthorised_access": ("Unauthorised access", [
        "Revoke the compromised credentials and sessions, rotate keys and tokens",
        "Isolate the affected hosts and accounts",
        "Find how the attacker got in and close the way in",
        *COMMON_END,
    ]),
    "lost_device": ("Lost or stolen device", [
        "Wipe or lock the device remotely",
        "Confirm whether the device was encrypted and the key safe",
        "Revoke the device's certificates, tokens and saved passwords",
        "Report the theft to the police and keep the reference",
        *COMMON_END,
    ]),
    "misdirected_email": ("Misdirected e-mail", [
        "Recall the message where the mail system allows it",
        "Ask the recipient to delete it and confirm in writing that it was not read, copied or forwarded",
        "Record who received what",
        "Brief the data protection officer",
    ]),
    "ransomware": ("Ransomware", [
        "Isolate the infected hosts from the network",
        "Revoke administrator credentials and rotate service accounts",
        "Check that backups are intact and offline before restoring",
        "Establish whether data was exfiltrated before the encryption",
        "Report to the police or the national CERT",
        *COMMON_END,
    ]),
}
ROLE_PERMISSIONS = {
    "responder": ["view_incidenttype", "view_checklistitem", "change_checklistitem"],
    "legal": ["view_incidenttype", "view_checklistitem", "change_checklistitem"],
}
ADMIN_MODELS = ("incidenttype", "checklisttemplateitem", "checklistitem")


def seed(apps, schema_editor):
    IncidentType = apps.get_model("incidents", "IncidentType")
    ChecklistTemplateItem = apps.get_model("incidents", "ChecklistTemplateItem")
    for code, (name, items) in PLANS.items():
        incident_type, created = IncidentType.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            ChecklistTemplateItem.objects.bulk_create([
                ChecklistTemplateItem(incident_type=incident_type, position=number, text=text)
                for number, text in enumerate(items, start=1)
            ])
    app_config = apps.get_app_config("incidents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="incidents", codename__in=codenames))
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(*Permission.objects.filter(
        content_type__app_label="incidents", content_type__model__in=ADMIN_MODELS))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0013_checklists"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
