"""`dangjian recruitment_audit FILE [--format json|text]` — 档案审查 of legacy recruitment files.

FILE is .json or .xlsx (recruitment.legacy). Exit status: 0 the audit ran (whatever it found), 2 the file
cannot be read (the message names the problem). Nothing is written to the database; the run is logged in
the audit trail as the system's.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.recruitment.legacy import LegacyFileError, audit_cases, read_legacy, report_text
from dangjian.recruitment.services import record_legacy_audit

EXIT_OK, EXIT_UNREADABLE = 0, 2


class Command(BaseCommand):
    help = "发展党员档案审查：检查历史档案（.json 或 .xlsx）中的每一处违规。退出码：0 审查完成，2 文件无法读取。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=".json 或 .xlsx")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise LegacyFileError("unreadable", _("无法打开文件 %(f)s：%(e)s") % {"f": path, "e": exc.strerror})
            cases = read_legacy(data, path.name)
        except LegacyFileError as exc:
            raise CommandError(f"{path.name}: {exc.message}", returncode=EXIT_UNREADABLE)
        report = audit_cases(cases)
        record_legacy_audit(actor=None, file_name=path.name, cases=report["summary"]["cases"],
                            with_violations=report["summary"]["with_violations"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report_text(report, {c.id: c.name for c in cases}))
