"""Time the legacy recruitment audit of a 1,000-case file (budget: under 5 s, issue 4).

    .venv/bin/python scripts/bench_recruitment_audit.py [--cases 1000] [--keep]

Runs on a scratch database (DATABASE_URL if set, otherwise a fresh SQLite file in the temp directory), which
the audit only reads (rule overrides and the holiday table). The file is generated from the shipped sample
(dangjian/recruitment/fixtures/legacy_sample.json): each case is one of the sample's seven, with all its
dates moved back by a different number of days, so the 公示 windows fall on different calendar weeks
(holidays included) as in a real archive. Times the JSON form and the Excel form, each read + audit, and the
command end to end. Exits 1 if any is over budget.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SAMPLE = BASE_DIR / "dangjian" / "recruitment" / "fixtures" / "legacy_sample.json"
BUDGET_SECONDS = 5.0


def _shift(value, days: int):
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return (date.fromisoformat(value) - timedelta(days=days)).isoformat()
    if isinstance(value, list):
        return [_shift(v, days) for v in value]
    if isinstance(value, dict):
        return {k: _shift(v, days) for k, v in value.items()}
    return value


def build_cases(n: int) -> list[dict]:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))["cases"]
    rng = random.Random(20260601)
    cases = []
    for i in range(n):
        base = sample[i % len(sample)]
        case = _shift(base, rng.randint(0, 1500))
        case["id"] = f"{2015 + i % 10}-{i:04d}"
        cases.append(case)
    return cases


def build_xlsx(cases: list[dict]) -> bytes:
    """The Excel form of the same cases (one row each, the template's columns)."""
    from openpyxl import Workbook

    from dangjian.recruitment.legacy import VOTE_KEYS, _columns

    cols = _columns()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("发展党员档案")
    ws.append([h for _k, h in cols])
    for item in cases:
        row = {"id": item["id"], "name": item["name"], "birth_date": item["birth_date"]}
        for code, value in item["steps"].items():
            if code == "public_notice":
                row["notice_start"], row["notice_end"] = value["start"], value["end"]
            elif code == "extension":
                row["extension_months"] = value["months"]
            elif "reviews" in value:
                row[code] = "；".join(value["reviews"])
            else:
                row[code] = value.get("start") or value.get("date")
                for key, people in (("mentors", value.get("mentors")), ("sponsors", value.get("sponsors"))):
                    if people is not None:
                        row[key] = "、".join(p["name"] + ("" if p["full_member"] else "（非正式党员）") for p in people)
                if code == "S11":
                    row["training_end"], row["training_hours"] = value["end"], value["hours"]
                if code in ("S15", "S23"):
                    for k in VOTE_KEYS:
                        row[f"{code}.{k}"] = value.get(k)
        ws.append([row.get(k) for k, _h in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite file")
    args = parser.parse_args()

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.gettempdir()) / "dangjian-bench-recruitment.sqlite3"
        scratch.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from dangjian.recruitment.legacy import audit_cases, read_legacy

    cases = build_cases(args.cases)
    data = json.dumps({"cases": cases}, ensure_ascii=False).encode()
    xlsx = build_xlsx(cases)

    t0 = time.perf_counter()
    report = audit_cases(read_legacy(data, "bench.json"))
    t1 = time.perf_counter()
    report_x = audit_cases(read_legacy(xlsx, "bench.xlsx"))
    t2 = time.perf_counter()
    assert report["summary"]["cases"] == args.cases
    assert report_x["summary"] == report["summary"], "the two forms must give the same report"

    path = Path(tempfile.gettempdir()) / "dangjian-bench-recruitment.json"
    path.write_bytes(data)
    out = io.StringIO()
    t3 = time.perf_counter()
    call_command("recruitment_audit", str(path), stdout=out)
    t4 = time.perf_counter()
    path.unlink(missing_ok=True)
    assert json.loads(out.getvalue())["summary"] == report["summary"]

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    s = report["summary"]
    print(f"Legacy recruitment audit, {args.cases:,} cases ({len(data) / 1024:.0f} KB JSON, "
          f"{len(xlsx) / 1024:.0f} KB xlsx), {engine}, Python {platform.python_version()}")
    print(f"  {s['with_violations']:,} cases with violations, {sum(s['by_code'].values()):,} violations")
    print(f"  JSON: read + audit              {t1 - t0:6.2f} s   (budget {BUDGET_SECONDS:.0f} s)")
    print(f"  Excel: read + audit             {t2 - t1:6.2f} s")
    print(f"  recruitment_audit (command)     {t4 - t3:6.2f} s")
    if scratch is not None and not args.keep:
        from django.db import connections

        connections.close_all()
        scratch.unlink(missing_ok=True)
    if max(t1 - t0, t2 - t1, t4 - t3) > BUDGET_SECONDS:
        print("OVER BUDGET")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
