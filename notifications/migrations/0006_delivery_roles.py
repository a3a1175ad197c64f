"""Give the roles the delivery permissions.

Legal starts sending (it approved the content) and exports the evidence; responders
follow progress; admins may do everything with deliveries.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "responder": ["view_delivery"],
    "legal": ["view_delivery", "send_notice", "export_delivery"],
    "admin": [
        "view_delivery", "send_notice", "export_delivery", "add_delivery", "change_delivery", "delete_delivery",
        "view_noticechannelplan", "add_noticechannelplan", "change_noticechannelplan", "delete_noticechannelplan",
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
        ("notifications", "0005_deliveries"),
        ("incidents", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
