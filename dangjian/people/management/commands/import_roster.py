"""`dangjian import_roster FILE.xlsx [--dry-run] [--format text|json]` — the roster importer on the command line.

Exit status: 0 imported (or valid under --dry-run), 1 the file has errors (nothing written), 2 the file cannot
be read. The command line is trusted: it imports for the whole college (actor None).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.people.importer import ImportFileError, ImportReport, RowIssue, apply_roster, check_roster

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def issue_line(issue: RowIssue) -> str:
    return _("第%(row)d行 [%(col)s] %(code)s: %(msg)s") % {
        "row": issue.row, "col": issue.column, "code": issue.code, "msg": issue.message,
    }


class ImportCommand(BaseCommand):
    """Shared by import_roster and import_org: read the file, check or apply, print, exit with the status."""

    noun = ""  # what the summary counts, e.g. "人"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="xlsx")
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def check_file(self, data: bytes, name: str) -> ImportReport:
        raise NotImplementedError

    def apply_file(self, data: bytes, name: str) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        as_json = options["format"] == "json"
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ImportFileError("unreadable", _("无法打开文件 %(f)s：%(e)s") % {"f": path, "e": exc.strerror})
            if options["dry_run"]:
                report = self.check_file(data, path.name)
            else:
                report = self.apply_file(data, path.name)
        except ImportFileError as exc:
            if as_json:
                out = ImportReport(ok=False, errors=[RowIssue(0, "", path.name, exc.code, exc.message)])
                self.stdout.write(json.dumps(out.as_json(), ensure_ascii=False))
            raise CommandError(f"{path.name}: {exc.message}", returncode=EXIT_UNREADABLE)

        if as_json:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.summary(report, dry_run=options["dry_run"]))
            for issue in report.errors:
                self.stdout.write(issue_line(issue))
            if report.warnings:
                self.stdout.write(_("警告："))
                for issue in report.warnings:
                    self.stdout.write(issue_line(issue))
        if not report.ok:
            raise CommandError(
                _("文件中有 %(n)d 处错误，未导入任何数据。") % {"n": len(report.errors)}, returncode=EXIT_INVALID
            )

    def summary(self, report: ImportReport, *, dry_run: bool) -> str:
        counts = {"c": report.created, "u": report.updated, "s": report.unchanged,
                  "w": len(report.warnings), "e": len(report.errors), "noun": self.noun}
        if not report.ok:
            return _("检查未通过：错误 %(e)d 处，警告 %(w)d 条，未写入任何数据。") % counts
        if dry_run:
            return _("检查通过（未写入）：将新增 %(c)d %(noun)s，更新 %(u)d %(noun)s，无变化 %(s)d %(noun)s，警告 %(w)d 条。") % counts
        return _("导入完成：新增 %(c)d %(noun)s，更新 %(u)d %(noun)s，无变化 %(s)d %(noun)s，警告 %(w)d 条。") % counts


class Command(ImportCommand):
    help = "导入花名册（Excel）。退出码：0 成功，1 文件有错误（未写入），2 文件无法读取。"
    noun = "人"

    def check_file(self, data: bytes, name: str) -> ImportReport:
        return check_roster(data=data, file_name=name, actor=None)

    def apply_file(self, data: bytes, name: str) -> ImportReport:
        report, _batch = apply_roster(data=data, file_name=name, actor=None)
        return report
