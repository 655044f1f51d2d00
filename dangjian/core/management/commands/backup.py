"""`dangjian backup FILE.json.gz` — every row of the platform's tables, restorable with `dangjian restore`."""

import gzip
import io

from django.core.management import call_command
from django.core.management.base import BaseCommand

APPS = ["accounts", "core", "organizations", "people"]


class Command(BaseCommand):
    help = "备份全部数据为 JSON（gzip 压缩）。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        out = io.StringIO()
        call_command("dumpdata", *APPS, stdout=out)
        with gzip.open(file, "wt", encoding="utf-8") as fh:
            fh.write(out.getvalue())
        self.stdout.write(f"已备份到 {file}")
