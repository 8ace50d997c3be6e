"""The two editorial roles, as groups with their model permissions (see bulletins/workflow.py).

编辑 (editors): write issues and articles, keep sources, aliases and tags, submit for
review; they cannot publish, and cannot delete sources or tags (merging deletes).
审核 (reviewers): everything editors do, plus publish/schedule/unpublish
(bulletins.publish_issue), delete and merge sources and tags, and clear old redirects.

Running it again brings the groups' permissions back to this list (users stay in them).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "编辑"
REVIEWER = "审核"

EDITOR_PERMISSIONS = {
    "issue": ["add", "change", "delete", "view"],
    "article": ["add", "change", "delete", "view"],
    "source": ["add", "change", "view"],
    "sourcealias": ["add", "change", "delete", "view"],
    "tag": ["add", "change", "view"],
    "series": ["view"],
    "slugredirect": ["view"],
}
REVIEWER_EXTRA = {
    "issue": ["publish"],
    "source": ["delete"],
    "tag": ["delete"],
    "slugredirect": ["delete"],
}


def _codenames(spec):
    return {(model, f"{action}_{model}") for model, actions in spec.items() for action in actions}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles = {
        EDITOR: _codenames(EDITOR_PERMISSIONS),
        REVIEWER: _codenames(EDITOR_PERMISSIONS) | _codenames(REVIEWER_EXTRA),
    }
    for name, wanted in roles.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(
                content_type__app_label="bulletins", content_type__model=model, codename=codename
            )
            for model, codename in sorted(wanted)
        ]
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, REVIEWER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0006_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
