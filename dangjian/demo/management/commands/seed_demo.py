"""`dangjian seed_demo [--structure-only] [--reset]`: load the demo college once, then print its accounts."""

from __future__ import annotations

import time
import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dangjian.demo import college


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(str(x), w) for x, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join("  " + line for line in lines)


class Command(BaseCommand):
    help = (
        "载入演示学院“检验医学院党委”（党支部、党小组、约150名虚构人员、职务、演示账号），并列出演示账号。"
        "已载入时不重复创建。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--structure-only", action="store_true",
            help="只建组织、人员、职务和账号，不生成会议等工作记录。",
        )
        parser.add_argument(
            "--reset", action="store_true",
            help="先清空整个数据库（含审计日志，相当于 flush），再重新载入演示数据。",
        )
        parser.add_argument(
            "--noinput", "--no-input", "--yes", action="store_false", dest="interactive",
            help="--reset 时不再询问确认。",
        )

    def handle(self, *args, structure_only: bool, reset: bool, interactive: bool, **options):
        if reset:
            self._reset(interactive)
        if college.exists():
            self.stdout.write(f"演示数据已存在（{college.ROOT_CODE} 检验医学院党委），未重复创建；如需重建请加 --reset。")
        else:
            started = time.monotonic()
            demo = college.build(structure_only=structure_only)
            self.stdout.write(self.style.SUCCESS(
                f"已载入演示学院：党组织 {len(demo.units)} 个，人员 {demo.person_count} 人，"
                f"账号 {len(demo.users)} 个"
                + ("（仅组织结构）" if structure_only else "")
                + f"，用时 {time.monotonic() - started:.1f} 秒。"
            ))
        self.stdout.write("")
        self.stdout.write(f"演示账号（初始密码均为 {college.PASSWORD}，可用用户名或工号/学号登录）：")
        rows = [[r["username"], r["name"], r["role"], r["unit"], r["password"]] for r in college.account_rows()]
        self.stdout.write(format_table(["用户名", "姓名", "角色", "所在党组织", "密码"], rows))

    def _reset(self, interactive: bool) -> None:
        """Empty every table (flush): DELETE on SQLite, TRUNCATE on PostgreSQL.

        TRUNCATE does not fire the audit table's row trigger (core migration 0003), and SQLite's guard is
        only in the model, so the append-only audit log is emptied along with everything else — which is
        why the command asks first.
        """
        if interactive:
            try:
                answer = input("--reset 将清空整个数据库（包括审计日志）后重新载入演示数据。输入 yes 继续：")
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，数据库未改动。")
        call_command("flush", interactive=False, verbosity=0)
        self.stdout.write("数据库已清空。")
