"""Create the responder, legal and admin groups with their incidents permissions.

Responders create incidents and run contain / assess; legal runs the notification milestones,
close and reopen, overrides the risk level and records obligations met or exempted; admins hold
every incidents permission. notifications/migrations/0002_roles.py adds that app's permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "responder": [
        "add_incident", "change_incident", "view_incident", "contain_incident", "assess_incident",
        "view_auditevent", "view_obligation", "view_organisationprofile",
    ],
    "legal": [
        "view_incident", "change_incident", "notify_regulators_incident", "notify_users_incident",
        "close_incident", "reopen_incident", "override_risk_incident", "view_auditevent", "view_obligation",
        "change_obligation", "view_organisationprofile",
    ],
}


def create_groups(apps, schema_editor):
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
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="incidents"))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
