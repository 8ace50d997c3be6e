"""manage.py import_archive PATH: restore a backup written by export_archive."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bulletins.backup.restore import restore_archive
from bulletins.backup.tables import ArchiveError


class Command(BaseCommand):
    help = _(
        "从 export_archive 导出的文件恢复整个简报库到空数据库（全部成功或全部不变）。"
        "数据库已有内容时须加 --replace（先删除现有内容）。请先建好编辑账号（同样的用户名）："
        "签发人按用户名关联，账号日后建立时也会补上；修改历史中找不到账号的操作人留空。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="an archive written by export_archive")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the archive now in the database before restoring",
        )

    def handle(self, *args, path, replace, **options):
        try:
            result = restore_archive(path, replace=replace, log=self.warn)
        except (ArchiveError, OSError) as error:
            raise CommandError(str(error)) from error
        for label, count in result.counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(f"Restored {sum(result.counts.values())} rows from {path}.")
        )

    def warn(self, message):
        self.stderr.write(self.style.WARNING(message))
