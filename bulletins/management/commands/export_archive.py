"""manage.py export_archive PATH: the whole archive as one JSON Lines file (a backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bulletins.backup.export import export_archive
from bulletins.backup.tables import ArchiveError


class Command(BaseCommand):
    help = _(
        "导出整个简报库（系列、期刊、文章、来源及别名、标签、发布与签发记录、期刊和文章的修改历史）"
        "为一个 JSON Lines 文件；账号和待确认的导入文件不在其中。文件名以 .gz 结尾时压缩。"
        "格式见 docs/archive-format.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="where to write the archive (e.g. backup.jsonl.gz)")

    def handle(self, *args, path, **options):
        self.verbosity = options["verbosity"]
        try:
            counts = export_archive(path, log=self.log)
        except (ArchiveError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Wrote {sum(counts.values())} rows to {path}."))

    def log(self, message):
        if self.verbosity >= 2:
            self.stdout.write(message)
