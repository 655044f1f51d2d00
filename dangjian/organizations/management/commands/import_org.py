"""`dangjian import_org FILE.xlsx [--dry-run] [--format text|json]` — the organisation importer on the command line.

Same output and exit status as import_roster: 0 imported (or valid under --dry-run), 1 errors (nothing
written), 2 the file cannot be read.
"""

from __future__ import annotations

from dangjian.organizations.importer import apply_units, check_units
from dangjian.people.importer import ImportReport
from dangjian.people.management.commands.import_roster import ImportCommand


class Command(ImportCommand):
    help = "导入党组织（Excel）。退出码：0 成功，1 文件有错误（未写入），2 文件无法读取。"
    noun = "个"

    def check_file(self, data: bytes, name: str) -> ImportReport:
        return check_units(data=data, file_name=name, actor=None)

    def apply_file(self, data: bytes, name: str) -> ImportReport:
        return apply_units(data=data, file_name=name, actor=None)
