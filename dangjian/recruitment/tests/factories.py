"""Facts of a clean case, hand-built from RULES.md §3, that the check tests perturb one rule at a time.

Birth 2000-05-10. S01 2022-09-12 → S02 2022-10-05 (23 days) → S03 2023-03-20 (6 months and 8 days after S01)
→ S04/S05 2023-03-25 → reviews 2023-09-15 and 2024-03-10 (every gap under 6 months, the last 10 days before
S07) → S07 2024-03-20 (exactly 12 months after S03) → S08 03-25, S09 04-01, S10 04-20 → training 2024-05-06
to 05-08 (3 days, 24 hours) → S12 05-20 → 公示 2024-05-21 (Tue) to 05-27 (Mon): 5 working days → S13 05-28
→ S14 06-03 → S15 2024-06-12, 18 entitled, 15 present, 15 in favour → S16 06-20 → S17 2024-07-01 (within 3
months) → S18 07-10, S19 07-05, S20 07-01 → S21 review 2024-12-20 → S22 2025-05-20 → S23 2025-06-15 (the
probation ended 2025-06-12), 18/16/16 → S24 2025-07-10 (within 3 months) → S25 2025-07-20.
"""

from __future__ import annotations

from datetime import date

from dangjian.recruitment.checks import CaseFacts, Member, Vote

D = date.fromisoformat

CLEAN_DATES = {
    "S01": "2022-09-12", "S02": "2022-10-05", "S03": "2023-03-20", "S04": "2023-03-25", "S05": "2023-03-25",
    "S07": "2024-03-20", "S08": "2024-03-25", "S09": "2024-04-01", "S10": "2024-04-20", "S11": "2024-05-06",
    "S12": "2024-05-20", "S13": "2024-05-28", "S14": "2024-06-03", "S15": "2024-06-12", "S16": "2024-06-20",
    "S17": "2024-07-01", "S18": "2024-07-10", "S19": "2024-07-05", "S20": "2024-07-01", "S22": "2025-05-20",
    "S23": "2025-06-15", "S24": "2025-07-10", "S25": "2025-07-20",
}


def clean_facts(upto: str = "S25") -> CaseFacts:
    """The clean case, with the steps up to `upto` (inclusive) taken."""
    from dangjian.recruitment import steps

    last = steps.ORDER[upto]
    keep = {c: D(d) for c, d in CLEAN_DATES.items() if steps.ORDER[c] <= last}
    f = CaseFacts(birth_date=D("2000-05-10"), dates=keep)
    if "S03" in keep:
        f.reviews["S06"] = [D("2023-09-15"), D("2024-03-10")] if "S07" in keep else [D("2023-09-15")]
    if "S05" in keep:
        f.mentors = [Member("王红", True)]
    if "S09" in keep:
        f.sponsors = [Member("王红", True), Member("赵刚", True)]
    if "S11" in keep:
        f.training_end, f.training_hours = D("2024-05-08"), 24
    if "S13" in keep:
        f.notice_start, f.notice_end = D("2024-05-21"), D("2024-05-27")
    if "S15" in keep:
        f.votes["S15"] = Vote(eligible=18, present=15, in_favour=15)
    if "S17" in keep:
        f.special["S17"] = False
        f.reviews["S21"] = [D("2024-12-20")] if "S22" in keep else []
    if "S23" in keep:
        f.votes["S23"] = Vote(eligible=18, present=16, in_favour=16)
    return f


# ---------------------------------------------------------------- the same clean case through the services

REVIEWS = {"S06": ["2023-09-15", "2024-03-10"], "S21": ["2024-12-20"]}


def recruit(college, name: str = "陈申请", **fields):
    """A person on JY-T1's roster who has not applied yet (born 2000-05-10, like the clean case)."""
    from dangjian.core.testing import make_person

    fields.setdefault("birth_date", D("2000-05-10"))
    fields.setdefault("category", "faculty")
    return make_person(college.t1, name, status=fields.pop("status", "masses"), **fields)


def step_kwargs(college, code: str) -> dict:
    """record_step's arguments for `code` of the clean case (mentor and sponsors from JY-T1's members,
    the S16 interviewer the organiser)."""
    kw: dict = {"step": code}
    if code in REVIEWS:
        kw["data"] = {"reviews": [{"date": d, "opinion": "表现良好"} for d in REVIEWS[code]]}
        return kw
    kw["date"] = D(CLEAN_DATES[code])
    if code == "S02":
        kw["interviewer"] = college.secretary_p
    elif code == "S03":
        kw["data"] = {"mode": "league"}
    elif code == "S05":
        kw["mentors"] = [college.member_p]
    elif code == "S09":
        kw["sponsors"] = [college.member_p, college.secretary_p]
    elif code == "S10":
        kw["data"] = {"conclusion": "qualified"}
    elif code == "S11":
        kw["data"] = {"end": "2024-05-08", "hours": 24}
    elif code == "S13":
        kw["data"] = {"notice_start": "2024-05-21", "notice_end": "2024-05-27"}
    elif code == "S15":
        kw["data"] = {"eligible": 18, "present": 15, "in_favour": 15}
    elif code == "S16":
        kw["interviewer"] = college.organiser_p
    elif code == "S23":
        kw["data"] = {"eligible": 18, "present": 16, "in_favour": 16}
    return kw


def actor_for(college, code: str):
    from dangjian.recruitment import steps

    return college.organiser if steps.get(code).committee else college.secretary


def walk(college, case, upto: str, start: str = "S02"):
    """Record the clean case's steps from `start` to `upto` through the services, each by its proper actor."""
    from dangjian.recruitment import services, steps

    for code in steps.CODES[steps.ORDER[start]: steps.ORDER[upto] + 1]:
        services.record_step(actor=actor_for(college, code), case=case, **step_kwargs(college, code))
    case.refresh_from_db()
    return case


def open_clean_case(college, upto: str = "S01", **fields):
    from dangjian.recruitment import services

    person = recruit(college, **fields)
    case = services.open_case(actor=college.secretary, person=person, applied_on=D(CLEAN_DATES["S01"]))
    if upto != "S01":
        walk(college, case, upto)
    return case
