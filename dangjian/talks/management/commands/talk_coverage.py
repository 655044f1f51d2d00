"""`dangjian talk_coverage [--year YYYY] [--unit CODE] [--format json|text]` — talk coverage per rule and unit.

Prints, for each of the year's plans (every unit, or CODE and the units below it), the pairs required, the
pairs done and the missing pairs (谈话人 → 谈话对象). JSON:
`{"year": …, "rules": [{"rule": "…", "unit": "JY", "required": n, "done": n, "missing": [{"from": "…", "to": "…"}]}]}`.
The command line is trusted and reads every unit (no contents are printed). Exit status: 0 printed,
1 unknown unit code.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.core.scoping import today
from dangjian.organizations.models import OrgUnit
from dangjian.talks.selectors import coverage_json, talk_coverage

EXIT_OK, EXIT_UNKNOWN_UNIT = 0, 1


class Command(BaseCommand):
    help = _("谈心谈话覆盖情况：各规则、各党组织的应谈、已谈和未谈名单。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None, help=_("年度，默认今年"))
        parser.add_argument("--unit", default="", help=_("党组织编码（含下级），如 JY-T1"))
        parser.add_argument("--format", dest="fmt", choices=["json", "text"], default="text")

    def handle(self, *args, year: int | None, unit: str, fmt: str, **options) -> None:
        year = year or today().year
        unit_obj = None
        if unit:
            unit_obj = OrgUnit.objects.filter(code=unit).first()
            if unit_obj is None:
                raise CommandError(_("没有编码为 %(code)s 的党组织。") % {"code": unit}, returncode=EXIT_UNKNOWN_UNIT)
        rows = talk_coverage(None, year=year, unit=unit_obj)
        if fmt == "json":
            self.stdout.write(json.dumps(coverage_json(rows, year), ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(_("%(y)d年没有谈话计划。") % {"y": year})
            return
        for r in rows:
            self.stdout.write(
                _("%(unit)s %(title)s（%(rule)s）：应谈 %(req)d，已谈 %(done)d，未谈 %(miss)d，完成 %(pct)d%%")
                % {"unit": r.unit.code, "title": r.title, "rule": r.rule, "req": r.required, "done": r.done,
                   "miss": r.required - r.done, "pct": r.percent}
            )
            for group in r.todo():
                names = "、".join(m.counterpart_name for m in group["talks"])
                self.stdout.write(f"  {group['name']} → {names}")
