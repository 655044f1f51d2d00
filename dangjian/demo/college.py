"""The demo college: 检验医学院党委, its branches and party groups, about 150 fictional people, posts and logins.

Everything is written through the services (actor None is the seed itself; transfers are made by the
organiser's account), so the demo obeys the same rules as real data. Names and ID numbers come from a
fixed random seed; dates are relative to today, so the demo stays valid and tells the same story whenever
it is loaded:

* JY-T2 is about half as large again as JY-T1 — moving JY-T2's 第二党小组 to JY-T1 evens them out
  (the 2023 speech's own restructure, SEED.md #1);
* JY-G1 has 7 or more full members but no branch committee (finding ``committee_required``);
* JY-U2's term ends within 90 days (finding ``term_ending``); every other branch is healthy.

Later parts of the demo (meetings, talks, …) live in modules beside this one and are called from
``build_activity``; ``build(structure_only=True)`` leaves them out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.services import create_user
from dangjian.core import pinyin
from dangjian.core.periods import add_months, add_years
from dangjian.core.permissions import Role, SystemRole
from dangjian.core.request_context import reset_request_id, set_request_id
from dangjian.organizations.choices import OrgUnitCategory, OrgUnitKind
from dangjian.organizations.models import OrgUnit
from dangjian.organizations.services import assign_role, create_unit
from dangjian.people.choices import Education, Gender, PartyStanding, PersonCategory, PoliticalStatus
from dangjian.people.models import Person
from dangjian.people.services import create_person, transfer_in, transfer_within, update_person
from dangjian.people.validation import ID_CHECK, ID_WEIGHTS

SEED = 20230601
PASSWORD = "Dangjian@2026"
ROOT_CODE = "JY"

# (username, what the account is for). The accounts table printed by `seed_demo` follows this order.
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("shuji", "院党委书记"),
    ("zuzhiyuan", "组织员"),
    ("t1shuji", "教工第一党支部书记"),
    ("t2shuji", "教工第二党支部书记"),
    ("u1shuji", "本科生第一党支部书记"),
    ("u2shuji", "本科生第二党支部书记"),
    ("g1shuji", "研究生党支部书记"),
    ("dangyuan", "党员（教工第一党支部）"),
    ("sysadmin", "系统管理员（不可查看党务数据）"),
    ("anquan", "安全管理员（不可查看党务数据）"),
    ("auditor", "审计管理员（不可查看党务数据）"),
]
SYSTEM_ACCOUNTS = {
    "sysadmin": SystemRole.SYSTEM_ADMIN,
    "anquan": SystemRole.SECURITY_ADMIN,
    "auditor": SystemRole.AUDIT_ADMIN,
}

S = PoliticalStatus

# ------------------------------------------------------------------ name and place material

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names by sex and generation (people born from 1988 on get the newer style).
GIVEN = {
    (Gender.MALE, "classic"): _words(
        "建国 建华 国强 志强 志明 国庆 海涛 晓东 卫东 红军 振华 永刚 德明 立新 俊峰 文斌 建军 伟 强 磊 军 勇 "
        "刚 平 斌 辉 波 峰 明 杰 涛 华"
    ),
    (Gender.MALE, "modern"): _words(
        "子轩 浩然 宇航 俊杰 一鸣 思远 博文 明轩 泽宇 睿哲 梓豪 宇辰 天佑 景行 嘉树 逸飞 浩宇 家豪 晨阳 承泽 "
        "皓轩 俊熙 昊天 鑫 凯 帆 晨 博 宇 航 昊 哲"
    ),
    (Gender.FEMALE, "classic"): _words(
        "秀英 桂英 丽华 淑芬 海燕 晓燕 春梅 玉兰 红梅 丽娟 雅琴 文静 晓红 秀兰 慧敏 艳 芳 娜 敏 静 丽 娟 "
        "霞 燕 玲 婷 红 萍"
    ),
    (Gender.FEMALE, "modern"): _words(
        "欣怡 梓涵 雨涵 诗琪 佳怡 思琪 晓雯 梦瑶 欣然 子萱 可馨 语桐 心怡 佳琪 雨萱 若汐 静怡 书瑶 梓萌 "
        "沐晴 雅婷 思彤 一诺 婉清 颖 琳 洁 倩 悦 璐 瑶 楠 蕾 雯"
    ),
}
# Administrative divisions (GB/T 2260) for ID numbers, with the 籍贯 they imply and a local minority.
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("110105", "北京", "满族"), ("310104", "上海", ""), ("320106", "江苏南京", ""), ("320583", "江苏昆山", ""),
    ("330106", "浙江杭州", ""), ("340104", "安徽合肥", ""), ("350102", "福建福州", "畲族"),
    ("360102", "江西南昌", ""), ("370102", "山东济南", ""), ("370203", "山东青岛", ""),
    ("410105", "河南郑州", "回族"), ("420106", "湖北武汉", "土家族"), ("430104", "湖南长沙", "土家族"),
    ("440106", "广东广州", ""), ("450103", "广西南宁", "壮族"), ("500103", "重庆", "土家族"),
    ("510107", "四川成都", "彝族"), ("520102", "贵州贵阳", "苗族"), ("530102", "云南昆明", "彝族"),
    ("610113", "陕西西安", "回族"), ("620102", "甘肃兰州", "回族"), ("640104", "宁夏银川", "回族"),
    ("130102", "河北石家庄", "满族"), ("140105", "山西太原", ""), ("210102", "辽宁沈阳", "满族"),
    ("220102", "吉林长春", "朝鲜族"), ("230103", "黑龙江哈尔滨", "满族"), ("150102", "内蒙古呼和浩特", "蒙古族"),
)

# ------------------------------------------------------------------ recruitment timeline

STEP_FIELDS = ("applied_on", "activist_on", "candidate_on", "joined_on", "full_member_on")
# Days between consecutive steps (min, max). The minimums are the rules in whole days that always satisfy
# them: ≥6 months applicant → activist (LOCAL), ≥1 year as activist (细则 Art. 13), one year's probation
# (党章 Art. 7; 366 days ≥ any 12 months).
STEP_GAPS = ((184, 400), (366, 520), (30, 150), (366, 380))
STEPS_OF = {S.APPLICANT: 1, S.ACTIVIST: 2, S.CANDIDATE: 3, S.PROBATIONARY: 4, S.FULL_MEMBER: 5}
# How long ago the person reached their current status (days), for statuses still in progress.
RECENT = {
    S.APPLICANT: (15, 300),
    S.ACTIVIST: (20, 330),
    S.CANDIDATE: (15, 200),
    S.PROBATIONARY: (20, 340),
    S.FULL_MEMBER: (10, 400),
}

# Teaching and research sections (教研室) and offices, by where their staff keep their party membership.
T1_SECTIONS = ("临床检验诊断学教研室", "临床生物化学检验教研室")
T2G1_SECTIONS = ("临床免疫学检验教研室", "临床血液学检验教研室", "分子诊断学教研室")
T2G2_SECTIONS = ("临床微生物学检验教研室", "临床寄生虫学检验教研室", "实验教学中心")
OFFICE = "学院党政办公室"
STUDENT_OFFICE = "学生工作办公室"
MAJORS = {"JY-U1": (("医学检验技术", 1),), "JY-U2": (("卫生检验与检疫", 2), ("医学实验技术", 3))}
GRAD_MAJORS = (("临床检验诊断学", 1), ("医学技术", 2))


@dataclass
class DemoCollege:
    """What the builder made, for the later parts of the demo and for the summary line."""

    today: date
    units: dict[str, OrgUnit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)  # the people the story names (secretaries …)
    users: dict[str, User] = field(default_factory=dict)
    person_count: int = 0


def exists() -> bool:
    """Whether the demo college (its committee, code JY) is already in the database."""
    return OrgUnit.objects.filter(code=ROOT_CODE).exists()


def build(*, structure_only: bool = False) -> DemoCollege:
    """Create the whole demo in one transaction. `structure_only` keeps units, people, posts and logins only."""
    token = set_request_id()  # one id groups every audit event of this run
    try:
        with transaction.atomic():
            demo = _Builder(timezone.localdate()).run()
            if not structure_only:
                build_activity(demo)
        return demo
    finally:
        reset_request_id(token)


def build_activity(demo: DemoCollege) -> None:
    """The college's work records — meetings, talks, recruitment files — one module each beside this one."""
    from . import meetings, recruitment, talks

    meetings.build(demo)
    talks.build(demo)
    recruitment.build(demo)


def account_rows() -> list[dict[str, str]]:
    """One row per demo account for the table `seed_demo` prints: username, name, role, unit, password."""
    users = {u.username: u for u in User.objects.filter(username__in=[a for a, _ in DEMO_ACCOUNTS]).select_related(
        "person__unit")}
    rows = []
    for username, role in DEMO_ACCOUNTS:
        user = users.get(username)
        person = user.person if user and user.person_id else None
        rows.append(
            {
                "username": username,
                "name": person.name if person else ("—" if user else "（未创建）"),
                "role": role,
                "unit": person.unit.name if person else "—",
                "password": PASSWORD if user else "—",
            }
        )
    return rows


# ------------------------------------------------------------------ the builder


class _Builder:
    def __init__(self, today: date):
        self.today = today
        # Two streams, so names stay the same whatever today's date (dates draw from their own stream).
        self.r_names = random.Random(SEED)
        self.r_dates = random.Random(SEED + 1)
        self.used_names: set[str] = set()
        self.seq = 0
        self.staff_seq = 0
        self.grad_seq = 0
        self.demo = DemoCollege(today=today)
        self.u = self.demo.units
        self.key = self.demo.people
        year = today.year if today >= date(today.year, 9, 1) else today.year - 1
        self.school_year = year  # the cohort (年级) that entered this September

    def run(self) -> DemoCollege:
        self.units()
        self.committee_level()
        self.teachers_t1()
        self.teachers_t2()
        self.undergraduates("JY-U1", U1_STUDENTS, counsellor="u1shuji")
        self.undergraduates("JY-U2", U2_STUDENTS, counsellor="u2shuji")
        self.graduates()
        self.posts()
        self.accounts()
        self.graduate_intake()
        self.transfers()
        self.demo.person_count = Person.objects.current().filter(unit__path__startswith=self.u["JY"].path).count()
        return self.demo

    # -------------------------------------------------------------- drawing

    def pick(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi] from exactly one draw, so the date stream stays aligned whatever the range."""
        return lo + int(self.r_dates.random() * (hi - lo + 1)) if hi > lo else lo

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.pick(0, max(0, (end - start).days)))

    def name(self, gender: str, born: date) -> str:
        style = "modern" if born.year >= 1988 else "classic"
        for _ in range(200):
            r = self.r_names
            surname = r.choice(COMPOUND_SURNAMES) if r.random() < 0.02 else r.choice(SURNAMES)
            candidate = surname + r.choice(GIVEN[(gender, style)])
            if candidate not in self.used_names:
                self.used_names.add(candidate)
                return candidate
        raise RuntimeError("name lists exhausted")

    def id_number(self, region: str, born: date, gender: str) -> str:
        """A GB 11643 number: region, birth date, a sequence whose last digit is odd for men, the check digit."""
        self.seq += 1
        order = 2 * (self.seq % 500) + (1 if gender == Gender.MALE else 0)
        body = f"{region}{born:%Y%m%d}{order:03d}"
        total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
        return body + ID_CHECK[total % 11]

    def phone(self) -> str:
        r = self.r_names
        return f"1{r.choice('3578')}{r.randint(0, 9)}{r.randint(0, 99_999_999):08d}"

    def timeline(self, status: str, *, earliest: date, ago: tuple[int, int] | None = None) -> dict[str, date]:
        """Recruitment dates for a person now at `status`, none before `earliest`, the last `ago` days back.

        Walks back from the current step with STEP_GAPS, never using more room than the earlier steps need.
        """
        steps = STEPS_OF.get(status, 0)
        if not steps:
            return {}
        gaps = STEP_GAPS[: steps - 1]
        need = sum(lo for lo, _ in gaps)
        room = (self.today - earliest).days - need
        if room < 0:
            raise ValueError(f"no room for a {status} timeline after {earliest}")
        lo, hi = ago or RECENT[status]
        dates = [self.today - timedelta(days=self.pick(min(lo, room), min(hi, room)))]
        for i in range(len(gaps) - 1, -1, -1):
            g_lo, g_hi = gaps[i]
            still_needed = sum(x for x, _ in gaps[:i])
            slack = (dates[-1] - earliest).days - still_needed
            dates.append(dates[-1] - timedelta(days=self.pick(g_lo, min(g_hi, slack))))
        dates.reverse()
        return dict(zip(STEP_FIELDS, dates, strict=False))

    def region(self) -> tuple[str, str, str]:
        code, place, minority = self.r_names.choice(REGIONS)
        ethnicity = minority if minority and self.r_names.random() < 0.3 else "汉族"
        return code, place, ethnicity

    # -------------------------------------------------------------- people

    def _create(
        self, *, unit: str, group: str | None, status: str, gender: str, born: date, placed_on: date,
        category: str, staff_no: str, affiliation: str, education: str, dates: dict[str, date],
        note: str = "", standing: str = PartyStanding.NORMAL, email: bool = False, key: str | None = None,
        via_transfer: dict[str, str] | None = None,
    ) -> Person:
        region, place, ethnicity = self.region()
        name = self.name(gender, born)
        fields: dict[str, Any] = dict(
            name=name, gender=gender, ethnicity=ethnicity, birth_date=born, native_place=place,
            education=education, category=category, staff_no=staff_no, affiliation=affiliation,
            phone=self.phone(), political_status=status, party_standing=standing, note=note, **dates,
        )
        if email:
            fields["email"] = f"{pinyin.full(name)}{staff_no[-3:]}@jy.example.edu.cn"
        id_number = self.id_number(region, born, gender)
        unit_obj = self.u[unit]
        group_obj = self.u[group] if group else None
        if via_transfer:
            t = transfer_in(
                actor=self.demo.users["zuzhiyuan"], to_unit=unit_obj, to_group=group_obj, transferred_on=placed_on,
                id_number=id_number, **via_transfer, **fields,
            )
            person = t.person
        else:
            person = create_person(
                actor=None, unit=unit_obj, group=group_obj, id_number=id_number, placed_on=placed_on, **fields
            )
        if key:
            self.key[key] = person
        return person

    def gender(self, female_share: float) -> str:
        return Gender.FEMALE if self.r_names.random() < female_share else Gender.MALE

    def teacher(
        self, unit: str, group: str | None = None, status: str = S.FULL_MEMBER, *, age: str = "mid",
        affiliation: str, title: str = "", key: str | None = None, education: str | None = None,
        category: str = PersonCategory.FACULTY, note: str = "",
    ) -> Person:
        """A member of staff. Party members of long standing joined as students; newer ones as staff."""
        gender = self.gender(0.55)
        born_from, born_to = {"senior": (1963, 1974), "mid": (1975, 1987), "young": (1989, 1995),
                              "retired": (1955, 1961)}[age]
        born = self.day_between(date(born_from, 1, 1), date(born_to, 12, 28))
        hired = add_years(born, self.pick(26, 31))
        in_progress = status in (S.APPLICANT, S.ACTIVIST, S.CANDIDATE, S.PROBATIONARY)
        latest_hire = add_years(self.today, -3 if in_progress else -1)
        hired = min(hired, latest_hire)
        if status == S.FULL_MEMBER:
            # Became a full member in their twenties, and at least a year ago.
            full_on = min(add_years(born, self.pick(22, 30)), add_years(self.today, -1))
            ago = (self.today - full_on).days
            dates = self.timeline(status, earliest=add_years(born, 18), ago=(ago, ago))
        else:
            dates = self.timeline(status, earliest=hired + timedelta(days=30))
        unit_obj = self.u[unit]
        placed_on = max(hired, unit_obj.established_on)
        if group:
            placed_on = max(placed_on, self.u[group].established_on)
        if education is None:
            doctor = age in ("senior", "mid") or self.r_names.random() < 0.6
            education = Education.DOCTORATE if doctor else Education.MASTER
        self.staff_seq += 1
        staff_no = f"{hired.year}{self.staff_seq:03d}"
        notes = "，".join(x for x in (title, note) if x)
        return self._create(
            unit=unit, group=group, status=status, gender=gender, born=born, placed_on=placed_on,
            category=category, staff_no=staff_no, affiliation=affiliation, education=education, dates=dates,
            note=notes, email=category == PersonCategory.FACULTY, key=key,
        )

    def student(
        self, unit: str, status: str, *, seniority: int, affiliation: str, staff_no: str, level: str = "undergrad",
        key: str | None = None, standing: str = PartyStanding.NORMAL, note: str = "", ago: tuple[int, int] | None = None,
        via_transfer: dict[str, str] | None = None,
    ) -> Person:
        """A student of the cohort that entered `seniority` years before this school year."""
        cohort = self.school_year - seniority
        entered = date(cohort, 9, 1)
        age_at_entry = {"undergrad": 18, "master": 22, "doctor": 25}[level]
        # Born so as to be `age_at_entry` on entering: late in the year before, or before September.
        year = cohort - age_at_entry
        if self.r_dates.random() < 0.3:
            born = self.day_between(date(year - 1, 9, 2), date(year - 1, 12, 31))
        else:
            born = self.day_between(date(year, 1, 1), date(year, 8, 31))
        # Undergraduates apply at university; graduate students may have joined as undergraduates elsewhere.
        earliest = entered + timedelta(days=20) if level == "undergrad" else add_years(born, 18)
        dates = self.timeline(status, earliest=earliest, ago=ago)
        education = {"undergrad": Education.SECONDARY, "master": Education.BACHELOR, "doctor": Education.MASTER}[level]
        placed_on = min(entered + timedelta(days=10), self.today) if via_transfer else entered
        return self._create(
            unit=unit, group=None, status=status, gender=self.gender(0.6), born=born, placed_on=placed_on,
            category=PersonCategory.STUDENT, staff_no=staff_no, affiliation=affiliation, education=education,
            dates=dates, key=key, standing=standing, note=note, via_transfer=via_transfer,
        )

    # -------------------------------------------------------------- the tree

    def units(self) -> None:
        t = self.today

        def unit(code, name, kind, parent=None, **fields) -> None:
            self.u[code] = create_unit(
                actor=None, parent=self.u[parent] if parent else None, code=code, name=name, kind=kind, **fields
            )

        unit("JY", "检验医学院党委", OrgUnitKind.COMMITTEE, short_name="院党委", established_on=date(2006, 7, 1),
             term_started_on=add_months(t, -28), term_years=5, sort_order=1)
        branch = {"kind": OrgUnitKind.BRANCH, "parent": "JY"}
        unit("JY-T1", "教工第一党支部", **branch, short_name="教工一支部", category=OrgUnitCategory.FACULTY,
             established_on=date(2006, 7, 1), has_committee=True, term_started_on=add_months(t, -17), term_years=3,
             sort_order=1)
        unit("JY-T2", "教工第二党支部", **branch, short_name="教工二支部", category=OrgUnitCategory.FACULTY,
             established_on=date(2006, 7, 1), has_committee=True, term_started_on=add_months(t, -22), term_years=3,
             sort_order=2)
        unit("JY-U1", "本科生第一党支部", **branch, short_name="本科生一支部", category=OrgUnitCategory.STUDENT,
             established_on=date(2008, 10, 1), term_started_on=add_months(t, -14), term_years=3, sort_order=3)
        # Elected 34 months ago: its 3-year term ends within the 90-day warning window (换届 due).
        unit("JY-U2", "本科生第二党支部", **branch, short_name="本科生二支部", category=OrgUnitCategory.STUDENT,
             established_on=date(2015, 10, 1), term_started_on=add_months(t, -34), term_years=3, sort_order=4)
        # Grown past 7 full members without electing a committee (支部工作条例 Ch. 6).
        unit("JY-G1", "研究生党支部", **branch, short_name="研究生支部", category=OrgUnitCategory.STUDENT,
             established_on=date(2012, 10, 1), term_started_on=add_months(t, -10), term_years=3, sort_order=5)
        for b in ("JY-T1", "JY-T2"):
            for n, label in ((1, "第一党小组"), (2, "第二党小组")):
                unit(f"{b}-G{n}", label, OrgUnitKind.GROUP, b, established_on=date(2018, 3, 1), sort_order=n)

    # -------------------------------------------------------------- the people

    def committee_level(self) -> None:
        """Staff outside the party on the committee's own roster: the united-front contacts and the masses."""
        for party in ("九三学社社员", "中国农工民主党党员", "中国民主同盟盟员"):
            self.teacher("JY", status=S.DEMOCRATIC_PARTY, age="mid", title="教授",
                         affiliation=self.r_names.choice(T1_SECTIONS + T2G1_SECTIONS + T2G2_SECTIONS), note=party)
        for title in ("副教授", "讲师"):
            self.teacher("JY", status=S.NON_PARTY, age="mid", title=title,
                         affiliation=self.r_names.choice(T2G1_SECTIONS + T2G2_SECTIONS))
        for affiliation, title in (("实验教学中心", "实验师"), ("实验教学中心", "高级实验师"), (OFFICE, "科员"),
                                   (OFFICE, "科员"), (STUDENT_OFFICE, "科员")):
            self.teacher("JY", status=S.MASSES, age="young", title=title, affiliation=affiliation,
                         education=Education.MASTER)

    def teachers_t1(self) -> None:
        g1, g2 = "JY-T1-G1", "JY-T1-G2"
        self.teacher("JY-T1", g1, age="senior", affiliation=OFFICE, title="研究员", key="shuji")
        self.teacher("JY-T1", g1, age="mid", affiliation=OFFICE, title="组织员", key="zuzhiyuan",
                     education=Education.MASTER)
        self.teacher("JY-T1", g1, age="senior", affiliation=T1_SECTIONS[0], title="教授，博士生导师", key="t1shuji")
        self.teacher("JY-T1", g1, age="mid", affiliation=T1_SECTIONS[1], title="副教授", key="t1_organising")
        self.teacher("JY-T1", g1, age="mid", affiliation=T1_SECTIONS[0], title="副教授", key="t1g1_leader")
        self.teacher("JY-T1", g2, age="mid", affiliation=T1_SECTIONS[1], title="副教授", key="t1_publicity")
        self.teacher("JY-T1", g2, age="senior", affiliation=T1_SECTIONS[0], title="教授", key="jy_publicity")
        self.teacher("JY-T1", g2, age="mid", affiliation=T1_SECTIONS[1], title="讲师", key="dangyuan")
        self.teacher("JY-T1", g2, age="young", affiliation=T1_SECTIONS[0], title="讲师", key="t1_mover")
        self.teacher("JY-T1", g2, S.PROBATIONARY, age="young", affiliation=T1_SECTIONS[1], title="讲师")
        self.teacher("JY-T1", None, S.CANDIDATE, age="young", affiliation=T1_SECTIONS[0], title="讲师")
        self.teacher("JY-T1", None, S.ACTIVIST, age="young", affiliation=T1_SECTIONS[1], title="助教")
        self.teacher("JY-T1", None, S.APPLICANT, age="young", affiliation=OFFICE, title="科员",
                     education=Education.MASTER)

    def teachers_t2(self) -> None:
        g1, g2 = "JY-T2-G1", "JY-T2-G2"
        sections = iter(T2G1_SECTIONS * 6)
        self.teacher("JY-T2", g1, age="senior", affiliation=STUDENT_OFFICE, title="副研究员", key="deputy")
        self.teacher("JY-T2", g1, age="senior", affiliation=T2G1_SECTIONS[0], title="教授，博士生导师", key="dean")
        self.teacher("JY-T2", g1, age="senior", affiliation=T2G1_SECTIONS[1], title="教授", key="t2shuji")
        self.teacher("JY-T2", g1, age="mid", affiliation=T2G1_SECTIONS[2], title="副教授", key="t2_deputy")
        for k in ("t2_organising", "t2_publicity", "t2_discipline", "t2g1_leader", "jy_discipline"):
            self.teacher("JY-T2", g1, age="mid", affiliation=next(sections), title="副教授", key=k)
        self.teacher("JY-T2", g1, age="retired", affiliation="离退休教职工", title="教授（退休）",
                     category=PersonCategory.RETIRED, education=Education.MASTER)
        for title in ("教授", "副教授", "副教授", "讲师", "讲师", "讲师"):
            self.teacher("JY-T2", g1, age="mid" if title != "讲师" else "young", affiliation=next(sections),
                         title=title)
        self.teacher("JY-T2", g1, S.PROBATIONARY, age="young", affiliation=next(sections), title="讲师")
        self.teacher("JY-T2", g2, age="mid", affiliation=T2G2_SECTIONS[0], title="副教授", key="t2g2_leader")
        self.teacher("JY-T2", g2, age="senior", affiliation=T2G2_SECTIONS[1], title="教授", key="jy_unitedfront")
        for i, title in enumerate(("教授", "副教授", "讲师", "高级实验师", "实验师", "讲师")):
            self.teacher("JY-T2", g2, age="young" if title in ("讲师", "实验师") else "mid",
                         affiliation=T2G2_SECTIONS[i % 3], title=title)
        self.teacher("JY-T2", None, S.ACTIVIST, age="young", affiliation=T2G2_SECTIONS[2], title="实验师",
                     education=Education.MASTER)
        self.teacher("JY-T2", None, S.APPLICANT, age="young", affiliation=T2G1_SECTIONS[2], title="讲师")

    def undergraduates(self, unit: str, spec: dict[int, tuple[tuple[str, int], ...]], *, counsellor: str) -> None:
        """The branch's counsellor (its secretary) and class adviser, then its students grade by grade."""
        self.teacher(unit, age="mid", affiliation=STUDENT_OFFICE, title="辅导员", key=counsellor,
                     education=Education.MASTER)
        self.teacher(unit, age="mid", affiliation=STUDENT_OFFICE, title="班主任", education=Education.MASTER)
        majors = MAJORS[unit]
        n = 0
        for seniority, statuses in spec.items():
            cohort = self.school_year - seniority
            for status, count in statuses:
                for _ in range(count):
                    major, code = majors[n % len(majors)]
                    klass = 1 + (n // len(majors)) % 2
                    n += 1
                    self.student(unit, status, seniority=seniority, affiliation=f"{major}{cohort}级{klass}班",
                                 staff_no=f"{cohort}31{code}{klass}{n:02d}")

    def grad(self, status: str, seniority: int, *, level: str = "master", **kw: Any) -> Person:
        """A graduate student of JY-G1; 学号 like 2025231107 (master's) or 2024431101 (doctoral)."""
        self.grad_seq += 1
        n = self.grad_seq
        cohort = self.school_year - seniority
        major, code = GRAD_MAJORS[n % 2] if level == "master" else GRAD_MAJORS[0]
        label = "硕士研究生" if level == "master" else "博士研究生"
        return self.student("JY-G1", status, seniority=seniority, level=level,
                            affiliation=f"{major}{cohort}级{label}",
                            staff_no=f"{cohort}{'2' if level == 'master' else '4'}31{code}{n:02d}", **kw)

    def graduates(self) -> None:
        """JY-G1: most graduate students joined the party as undergraduates, so full members abound."""
        grad = self.grad
        grad(S.FULL_MEMBER, 2, level="doctor", key="g1shuji", ago=(800, 1400))
        for _ in range(4):
            grad(S.FULL_MEMBER, 2, ago=(400, 1300))
        grad(S.FULL_MEMBER, 2, ago=(500, 1000), standing=PartyStanding.LOST_CONTACT,
             note="出国交流后长期未与支部联系，支部正在查找")
        grad(S.PROBATIONARY, 2)
        grad(S.ACTIVIST, 2)
        grad(S.LEAGUE, 2)
        for _ in range(4):
            grad(S.FULL_MEMBER, 1, ago=(200, 1200))
        grad(S.PROBATIONARY, 1)
        grad(S.CANDIDATE, 1)
        grad(S.APPLICANT, 1)
        grad(S.LEAGUE, 1)
        grad(S.LEAGUE, 1)
        grad(S.ACTIVIST, 0)
        grad(S.LEAGUE, 0)
        grad(S.LEAGUE, 0)
        grad(S.MASSES, 0)

    def graduate_intake(self) -> None:
        """This year's members among the new graduate students: their membership is transferred in (转入)."""
        origins = ("滨海医科大学医学技术学院学生党支部", "江城医学院检验系学生第一党支部", "南岭大学医学部本科生党支部")
        for i, status in enumerate((S.FULL_MEMBER, S.FULL_MEMBER, S.FULL_MEMBER, S.PROBATIONARY, S.PROBATIONARY)):
            self.grad(status, 0, ago=(100, 700) if status == S.FULL_MEMBER else None,
                      via_transfer={"external_org": origins[i % 3],
                                    "letter_no": f"组转〔{self.school_year}〕{41 + i:03d}号", "reason": "研究生入学"})

    # -------------------------------------------------------------- posts and logins

    def posts(self) -> None:
        k, u = self.key, self.u
        jy_term = u["JY"].term_started_on

        def post(who: str, unit: str, role: str, starts_on: date | None = None, **kw) -> None:
            assign_role(actor=None, person=k[who], unit=u[unit], role=role,
                        starts_on=starts_on or u[unit].term_started_on or u[unit].parent.term_started_on, **kw)

        post("shuji", "JY", Role.COMMITTEE_SECRETARY)
        post("deputy", "JY", Role.COMMITTEE_DEPUTY, note="分管学生工作")
        post("zuzhiyuan", "JY", Role.ORGANISER, starts_on=add_months(jy_term, 5))
        post("jy_publicity", "JY", Role.COMMITTEE_MEMBER, note="宣传委员")
        post("jy_discipline", "JY", Role.COMMITTEE_MEMBER, note="纪检委员")
        post("jy_unitedfront", "JY", Role.COMMITTEE_MEMBER, note="统战委员")
        post("dean", "JY", Role.DEAN, starts_on=add_months(self.today, -40))
        post("t1shuji", "JY-T1", Role.BRANCH_SECRETARY, is_dual_leader=True)
        post("t1_organising", "JY-T1", Role.BRANCH_COMMITTEE_MEMBER, note="组织委员")
        post("t1_publicity", "JY-T1", Role.BRANCH_COMMITTEE_MEMBER, note="宣传委员")
        post("t1g1_leader", "JY-T1-G1", Role.GROUP_LEADER)
        post("t1_publicity", "JY-T1-G2", Role.GROUP_LEADER)
        post("t2shuji", "JY-T2", Role.BRANCH_SECRETARY, is_dual_leader=True)
        post("t2_deputy", "JY-T2", Role.BRANCH_DEPUTY)
        post("t2_organising", "JY-T2", Role.BRANCH_COMMITTEE_MEMBER, note="组织委员")
        post("t2_publicity", "JY-T2", Role.BRANCH_COMMITTEE_MEMBER, note="宣传委员")
        post("t2_discipline", "JY-T2", Role.BRANCH_COMMITTEE_MEMBER, note="纪检委员")
        post("t2g1_leader", "JY-T2-G1", Role.GROUP_LEADER)
        post("t2g2_leader", "JY-T2-G2", Role.GROUP_LEADER)
        post("u1shuji", "JY-U1", Role.BRANCH_SECRETARY)
        post("u2shuji", "JY-U2", Role.BRANCH_SECRETARY)
        post("g1shuji", "JY-G1", Role.BRANCH_SECRETARY)

    def accounts(self) -> None:
        for username, _ in DEMO_ACCOUNTS:
            self.demo.users[username] = create_user(
                username=username, password=PASSWORD, person=self.key.get(username),
                system_role=SYSTEM_ACCOUNTS.get(username, ""),
            )

    def transfers(self) -> None:
        """Some history on the roster: a teacher who changed section, a student who changed major."""
        organiser = self.demo.users["zuzhiyuan"]
        teacher = self.key["t1_mover"]
        transfer_within(actor=organiser, person=teacher, to_unit=self.u["JY-T2"], to_group=self.u["JY-T2-G1"],
                        transferred_on=add_months(self.today, -8), reason="调入临床免疫学检验教研室")
        teacher.refresh_from_db()
        update_person(actor=organiser, person=teacher, version=teacher.version, affiliation=T2G1_SECTIONS[0])

        cohort = self.school_year - 2
        student = self.student("JY-U2", S.ACTIVIST, seniority=2, affiliation=f"卫生检验与检疫{cohort}级1班",
                               staff_no=f"{cohort}312199")
        moved_on = min(date(cohort + 1, 9, 10), self.today)
        transfer_within(actor=organiser, person=student, to_unit=self.u["JY-U1"], to_group=None,
                        transferred_on=moved_on, reason="转专业至医学检验技术")
        student.refresh_from_db()
        update_person(actor=organiser, person=student, version=student.version,
                      affiliation=f"医学检验技术{cohort}级2班")


# Students of each undergraduate branch by seniority (3 = the graduating year) and status. A status is
# only used where the years since entry leave room for its timeline (a full member needs ~32 months).
U1_STUDENTS: dict[int, tuple[tuple[str, int], ...]] = {
    3: ((S.FULL_MEMBER, 3), (S.PROBATIONARY, 2), (S.CANDIDATE, 1), (S.ACTIVIST, 1), (S.LEAGUE, 2)),
    2: ((S.PROBATIONARY, 2), (S.CANDIDATE, 2), (S.ACTIVIST, 2), (S.APPLICANT, 1), (S.LEAGUE, 3)),
    1: ((S.ACTIVIST, 3), (S.APPLICANT, 3), (S.LEAGUE, 3)),
    0: ((S.LEAGUE, 7), (S.MASSES, 2)),
}
U2_STUDENTS: dict[int, tuple[tuple[str, int], ...]] = {
    3: ((S.FULL_MEMBER, 2), (S.PROBATIONARY, 2), (S.CANDIDATE, 1), (S.ACTIVIST, 1), (S.LEAGUE, 3)),
    2: ((S.PROBATIONARY, 1), (S.CANDIDATE, 1), (S.ACTIVIST, 2), (S.APPLICANT, 1), (S.LEAGUE, 2)),
    1: ((S.ACTIVIST, 2), (S.APPLICANT, 3), (S.LEAGUE, 3)),
    0: ((S.LEAGUE, 6), (S.MASSES, 2)),
}
