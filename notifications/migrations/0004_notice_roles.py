"""Give the roles the notice permissions.

Responders and legal draft, edit and submit notices; only legal approves or rejects
them and records regulator submissions; admins hold every notifications permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_notice", "view_noticeversion", "view_regulatorsubmission"]
ROLE_PERMISSIONS = {
    "responder": [*VIEW, "add_notice", "change_notice"],
    "legal": [*VIEW, "add_notice", "change_notice", "approve_notice", "add_regulatorsubmission"],
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
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="notifications"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_notices"),
        ("incidents", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
