"""Time the roster import of a valid 5,000-row file (budget: check + apply < 10 s on SQLite).

    .venv/bin/python scripts/bench_import.py [--rows 5000] [--keep]

Runs on a scratch database: DATABASE_URL if set, otherwise a fresh SQLite file in the temp directory
(deleted first, and afterwards unless --keep). Migrates it, builds the fixture college
(dangjian.core.testing.build_college), generates the file in memory, then times check_roster,
apply_roster and rollback_batch as the command line does (actor None). Exits 1 if over budget.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 10.0


def build_file(n: int, phone_prefix: str = "139") -> bytes:
    from openpyxl import Workbook

    from dangjian.core.testing import make_id_number
    from dangjian.people.importer import ROSTER_HEADERS

    branches = [("JY-T1", ["第一党小组", "第二党小组"]), ("JY-T2", ["第一党小组", "第二党小组"]), ("JY-U1", [""])]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(ROSTER_HEADERS)
    surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
    for i in range(n):
        birth = date(1970, 1, 1) + timedelta(days=i)  # distinct birth dates → distinct ID numbers
        seq = i % 1000
        male = seq % 2 == 1
        name = surnames[i % len(surnames)] + given[(i // len(surnames)) % len(given)] + given[i % len(given)]
        code, groups = branches[i % len(branches)]
        kind = i % 4
        row = {
            "姓名": name, "性别": "男" if male else "女", "民族": "汉族", "出生日期": birth,
            "身份证号": make_id_number(birth, seq), "人员类别": "教职工", "工号/学号": f"B{i:06d}",
            "所在单位或班级": "检验系", "手机号码": f"{phone_prefix}{i:08d}", "电子邮箱": f"b{i}@example.edu.cn",
            "学历": "大学本科", "籍贯": "北京", "备注": "",
        }
        if kind == 0:  # a student, not a member, kept under the committee
            row.update({"人员类别": "学生", "政治面貌": "共青团员"})
        elif kind == 1:  # an activist in a branch
            row.update({"政治面貌": "入党积极分子", "所在党支部": code, "所在党小组": groups[i % len(groups)],
                        "申请入党日期": "2020-03-01", "确定入党积极分子日期": "2020/09/01"})
        else:  # a full member
            row.update({"政治面貌": "中共党员", "所在党支部": code, "所在党小组": groups[i % len(groups)],
                        "申请入党日期": "2005-03-01", "确定入党积极分子日期": "2005.09.01",
                        "确定发展对象日期": "2006年9月1日", "入党日期": date(2007, 1, 1), "转正日期": date(2008, 1, 1)})
        ws.append([row.get(h) for h in ROSTER_HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite file")
    args = parser.parse_args()

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.gettempdir()) / "dangjian-bench-import.sqlite3"
        scratch.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fixture users only
    call_command("migrate", verbosity=0, interactive=False)

    from dangjian.core.testing import build_college
    from dangjian.people.importer import apply_roster, check_roster, rollback_batch
    from dangjian.people.models import Person

    build_college()
    data = build_file(args.rows)

    t0 = time.perf_counter()
    report = check_roster(data=data, file_name="bench.xlsx", actor=None)
    t1 = time.perf_counter()
    assert report.ok and report.created == args.rows, report.errors[:5]
    applied, batch = apply_roster(data=data, file_name="bench.xlsx", actor=None)
    t2 = time.perf_counter()
    assert applied.ok and batch is not None and batch.created_count == args.rows
    people = Person.objects.count()
    again = check_roster(data=data, file_name="bench.xlsx", actor=None)
    t3 = time.perf_counter()
    assert again.ok and again.unchanged == args.rows
    changed = build_file(args.rows, phone_prefix="138")  # every row changes its 手机号码
    t4 = time.perf_counter()
    updated, update_batch = apply_roster(data=changed, file_name="bench-update.xlsx", actor=None)
    t5 = time.perf_counter()
    assert updated.ok and updated.updated == args.rows
    rollback_batch(batch=update_batch, actor=None)
    rollback_batch(batch=batch, actor=None)
    t6 = time.perf_counter()
    assert Person.objects.count() == people - args.rows

    total = t2 - t0
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Roster import, {args.rows:,} rows ({len(data) / 1024:.0f} KB xlsx), {engine}"
          f"{' ' + sqlite3.sqlite_version if engine == 'sqlite3' else ''}, Python {platform.python_version()}")
    print(f"  check_roster (preview)        {t1 - t0:6.2f} s")
    print(f"  apply_roster (check + write)  {t2 - t1:6.2f} s   → {people:,} people on the roster")
    print(f"  check + apply                 {total:6.2f} s   (budget {BUDGET_SECONDS:.0f} s)")
    print(f"  re-check, all rows unchanged  {t3 - t2:6.2f} s")
    print(f"  apply_roster, all rows update {t5 - t4:6.2f} s")
    print(f"  rollback_batch, both batches  {t6 - t5:6.2f} s")
    if scratch is not None and not args.keep:
        from django.db import connections

        connections.close_all()
        scratch.unlink(missing_ok=True)
    if total > BUDGET_SECONDS:
        print("OVER BUDGET")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
