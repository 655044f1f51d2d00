"""`dangjian import_meetings FILE.xlsx [--dry-run] [--format text|json] [--user USERNAME]` — past meeting records.

Same exit status, output and all-or-nothing rule as `import_roster`: 0 imported (or valid under --dry-run),
1 the file has errors (nothing written), 2 the file cannot be read. The command line is trusted and imports
for the whole college; `--user` runs it with that account's authority instead (and names it in the audit log).
"""

from __future__ import annotations

from django.core.management.base import CommandError

from dangjian.core.errors import PermissionDenied
from dangjian.meetings.importer import apply_meetings, check_meetings
from dangjian.people.importer import ImportReport
from dangjian.people.management.commands.import_roster import EXIT_UNREADABLE, ImportCommand


class Command(ImportCommand):
    help = "导入会议台账（Excel，历史会议记录）。退出码：0 成功，1 文件有错误（未写入），2 文件无法读取。"
    noun = "次会议"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--user", help="以该账号的权限导入（默认：命令行，全院）")

    def handle(self, *args, **options) -> None:
        self.actor = None
        if options.get("user"):
            from dangjian.accounts.models import User

            self.actor = User.objects.filter(username=options["user"], is_active=True).first()
            if self.actor is None:
                raise CommandError(f"没有启用的账号 {options['user']}", returncode=EXIT_UNREADABLE)
        try:
            super().handle(*args, **options)
        except PermissionDenied as exc:
            raise CommandError(exc.message, returncode=EXIT_UNREADABLE) from exc

    def check_file(self, data: bytes, name: str) -> ImportReport:
        return check_meetings(data=data, file_name=name, actor=self.actor)

    def apply_file(self, data: bytes, name: str) -> ImportReport:
        return apply_meetings(data=data, file_name=name, actor=self.actor)
