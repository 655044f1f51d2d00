"""`dangjian restore FILE.json.gz` — replace the database's contents with a backup, row for row."""

import gzip
import tempfile

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "从备份恢复全部数据（会清空当前数据）。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接清空并恢复")

    def handle(self, *args, file, yes, **options):
        try:
            with gzip.open(file, "rt", encoding="utf-8") as fh:
                data = fh.read()
        except (OSError, EOFError) as exc:
            raise CommandError(f"无法读取备份文件 {file}：{exc}", returncode=2)
        if not yes and input("将清空当前数据库并恢复备份，输入 yes 继续：") != "yes":
            raise CommandError("已取消。", returncode=1)
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as tmp:
            tmp.write(data)
            tmp.flush()
            with transaction.atomic():
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", tmp.name, verbosity=0)
        self.stdout.write(f"已从 {file} 恢复")
