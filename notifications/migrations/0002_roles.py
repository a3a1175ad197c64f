"""Give the roles their notifications permissions.

- Responders import affected people and see counts and channels, draft, edit and submit notices,
  and follow delivery progress.
- Legal does the same, sees names and contact details (it answers people's questions), approves
  or rejects notices, records regulator submissions, starts sending and exports the evidence.
- Admins hold every notifications permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_COMMON = [
    "import_recipients", "view_recipient", "view_notice", "view_noticeversion", "view_regulatorsubmission",
    "add_notice", "change_notice", "view_delivery", "view_noticechannelplan", "view_noticeannouncement",
]
ROLE_PERMISSIONS = {
    "responder": _COMMON,
    "legal": [
        *_COMMON, "view_recipient_contact", "approve_notice", "add_regulatorsubmission", "send_notice",
        "export_delivery", "change_noticechannelplan",
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
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="notifications"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("incidents", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
