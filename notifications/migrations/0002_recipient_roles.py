"""Give the roles the recipient permissions.

Responders, legal and admins import affected people and see the counts; only legal and
admins see names and contact details (the people answering questions about the notice).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "responder": ["import_recipients", "view_recipient"],
    "legal": ["import_recipients", "view_recipient", "view_recipient_contact"],
    "admin": [
        "import_recipients", "view_recipient", "view_recipient_contact", "add_recipient", "change_recipient",
        "delete_recipient",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("notifications")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="notifications", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_recipients"),
        ("incidents", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
