"""Create the responder, legal and admin groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "responder": [
        ("incidents", "add_incident"), ("incidents", "change_incident"), ("incidents", "view_incident"),
        ("incidents", "contain_incident"), ("incidents", "assess_incident"),
        ("incidents", "view_auditevent"), ("incidents", "view_obligation"),
    ],
    "legal": [
        ("incidents", "view_incident"), ("incidents", "change_incident"),
        ("incidents", "notify_regulators_incident"), ("incidents", "notify_users_incident"),
        ("incidents", "close_incident"), ("incidents", "reopen_incident"),
        ("incidents", "override_risk_incident"), ("incidents", "view_auditevent"),
        ("incidents", "view_obligation"), ("incidents", "change_obligation"),
    ],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, pairs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in pairs:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="incidents"))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
