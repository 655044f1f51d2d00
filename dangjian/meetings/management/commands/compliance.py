"""`dangjian compliance --year YYYY [--unit CODE] [--as-of YYYY-MM-DD] [--format json|xlsx|text] [--output FILE]`.

Compliance of organisational life for the whole college (the command line is trusted), or for the unit with
CODE and every unit below it. `--year` defaults to the year of `--as-of`, which defaults to today.
json and text go to standard output unless `--output` is given; xlsx is a file, `--output` or
`compliance-YYYY.xlsx` in the current directory. Exit status: 0 done, 2 bad arguments (unknown unit, bad date).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.scoping import today
from dangjian.meetings.compliance import as_text, as_xlsx, compliance, units_below

EXIT_BAD_ARGUMENTS = 2


class Command(BaseCommand):
    help = "组织生活合规情况（每个党组织、每项要求、每个周期）。json/text 输出到标准输出，xlsx 写入文件。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="年度（默认为 --as-of 所在年度）")
        parser.add_argument("--unit", help="党组织编码：只统计该党组织及其下级")
        parser.add_argument("--as-of", dest="as_of", help="统计截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--format", choices=["json", "xlsx", "text"], default="text")
        parser.add_argument("--output", help="输出文件（xlsx 默认 compliance-YYYY.xlsx）")

    def handle(self, *args, **options) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else today()
        except ValueError:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD：{options['as_of']}", returncode=EXIT_BAD_ARGUMENTS)
        year = options["year"] or as_of.year
        if not 1900 < year < 3000:
            raise CommandError(f"--year 不正确：{year}", returncode=EXIT_BAD_ARGUMENTS)
        units = units_below(options["unit"])
        if units is None:
            raise CommandError(f"没有编码为 {options['unit']} 的党组织", returncode=EXIT_BAD_ARGUMENTS)
        report = compliance(year=year, as_of=as_of, units_qs=units)
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx":
            path = Path(output or f"compliance-{year}.xlsx")
            path.write_bytes(as_xlsx(report))
            self.stdout.write(f"已写入 {path}")
            return
        text = json.dumps(report, ensure_ascii=False, indent=2) if fmt == "json" else as_text(report)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已写入 {output}")
        else:
            self.stdout.write(text)
