"""Word ledgers: the 三会一课记录 of one meeting and a unit's 记录本 for a year, opened back with python-docx."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from dangjian.core.models import AuditEvent
from dangjian.core.testing import make_person
from dangjian.meetings.choices import AttendanceStatus as A
from dangjian.meetings.choices import MeetingKind as K
from dangjian.meetings.choices import MeetingStatus as S
from dangjian.meetings.ledgers import (
    MEETING_TEMPLATE,
    TEMPLATES,
    YEAR_TEMPLATE,
    build_templates,
    export_meeting_record,
    export_unit_year,
    meeting_record_docx,
    unit_year_docx,
    unit_year_meetings,
)
from dangjian.meetings.models import AgendaItem, Attendance, Vote

from .test_compliance import make_meeting


def text_of(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """(paragraph texts, tables as rows of cell texts) of a .docx."""
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


def row_of(table, label):
    return next(r for r in table if r[0] == label)


@pytest.fixture
def general_meeting(college):
    """JY-T1's 党员大会 of 2026-03-24 that was also its 党课: a vote on admitting 孙预备, one excused, one absent,
    an observer, two agenda items."""
    c = college
    sun = make_person(c.t1, "孙党员", group=c.t1g1)
    candidate = make_person(c.t1, "孙预备", status="candidate")
    m = make_meeting(c.t1, K.BRANCH_GENERAL, date(2026, 3, 24), counts_as=(K.LECTURE,), status=S.REVIEWED,
                     topic="讨论接收孙预备为预备党员", place="学院第一会议室", host=c.secretary_p, recorder=c.member_p,
                     lecturer=c.secretary_p, minutes="张书记传达上级精神。\n与会党员逐一发言。",
                     resolutions="同意接收孙预备为中共预备党员，报院党委审批。")
    Attendance.objects.create(meeting=m, person=c.secretary_p, status=A.PRESENT, can_vote=True)
    Attendance.objects.create(meeting=m, person=c.member_p, status=A.EXCUSED, reason="出差", can_vote=True)
    Attendance.objects.create(meeting=m, person=sun, status=A.ABSENT, can_vote=True)
    Attendance.objects.create(meeting=m, person=c.organiser_p, status=A.PRESENT, is_observer=True)
    AgendaItem.objects.create(meeting=m, order=1, title="介绍人介绍情况")
    AgendaItem.objects.create(meeting=m, order=2, title="表决")
    Vote.objects.create(meeting=m, subject="admission", title="接收孙预备为预备党员", subject_person=candidate,
                        eligible=3, present=2, in_favour=2, written_in_favour=1, written_total=1, quorum_met=True,
                        passed=True)
    return m


def test_a_meeting_record_has_every_field_of_the_official_layout(general_meeting):
    paragraphs, tables = text_of(meeting_record_docx(general_meeting))
    assert paragraphs[:2] == ["教工第一党支部", "三会一课记录"]
    record, votes = tables
    assert row_of(record, "会议类型") == ["会议类型", "支部党员大会", "同时计为", "党课"]
    assert row_of(record, "时间") == ["时间", "2026年3月24日 14:30—16:00", "地点", "学院第一会议室"]
    assert row_of(record, "主持人") == ["主持人", "张书记", "记录人", "王党员"]
    assert row_of(record, "应到人数") == ["应到人数", "3", "实到人数", "1"]
    assert row_of(record, "会议主题")[1] == "讨论接收孙预备为预备党员"
    assert row_of(record, "授课人")[1] == "张书记"
    assert row_of(record, "缺席人员及原因")[1] == "孙党员（缺席）；王党员（请假：出差）"
    assert row_of(record, "列席人员")[1] == "周组织"
    assert row_of(record, "议程")[1] == "1. 介绍人介绍情况\n2. 表决"
    assert row_of(record, "会议记录")[1] == "张书记传达上级精神。\n与会党员逐一发言。"
    assert row_of(record, "决议")[1] == "同意接收孙预备为中共预备党员，报院党委审批。"
    assert votes[0] == ["表决事项", "应到会", "实到会", "赞成", "反对", "弃权", "书面意见", "结果"]
    assert votes[1:] == [["接收孙预备为预备党员（接收预备党员）", "3", "2", "2", "0", "0", "1/1", "通过（法定人数达到）"]]
    assert any(p.startswith("记录状态：已审核") for p in paragraphs)
    assert "本次会议无表决事项。" not in paragraphs


def test_a_meeting_without_votes_says_so_and_text_is_escaped(college):
    m = make_meeting(college.t2, K.THEME_DAY, date(2026, 4, 8), topic="学习<条例>与“两学一做”&实践",
                     status=S.RETURNED, returned_reason="请补充签到表")
    paragraphs, tables = text_of(meeting_record_docx(m))
    assert len(tables) == 1
    assert row_of(tables[0], "会议主题")[1] == "学习<条例>与“两学一做”&实践"
    assert row_of(tables[0], "应到人数") == ["应到人数", "—", "实到人数", "—"]
    assert "本次会议无表决事项。" in paragraphs
    assert "退回修改意见：请补充签到表" in paragraphs


def test_imported_counts_are_shown_when_there_is_no_list(college):
    m = make_meeting(college.t1, K.THEME_DAY, date(2026, 2, 10), expected_count=12, present_count=11)
    _p, tables = text_of(meeting_record_docx(m))
    assert row_of(tables[0], "应到人数") == ["应到人数", "12", "实到人数", "11"]


def test_the_unit_year_book_lists_the_years_meetings_in_order_each_on_its_own_page(general_meeting, college):
    c = college
    make_meeting(c.t1, K.THEME_DAY, date(2026, 1, 14), topic="一月主题党日")
    make_meeting(c.jy, K.LECTURE, date(2026, 4, 22), audience=(c.t1, c.t2), topic="全院党课")  # counts for JY-T1
    make_meeting(c.t1, K.THEME_DAY, date(2026, 5, 13), status=S.PLANNED, topic="计划中")
    make_meeting(c.t1, K.THEME_DAY, date(2026, 5, 20), status=S.CANCELLED, topic="已取消")
    make_meeting(c.t1, K.THEME_DAY, date(2025, 12, 10), topic="去年")
    make_meeting(c.t2, K.THEME_DAY, date(2026, 3, 10), topic="别的支部")
    assert [m.topic for m in unit_year_meetings(c.t1, 2026)] == ["一月主题党日", "讨论接收孙预备为预备党员", "全院党课"]
    data = unit_year_docx(c.t1, 2026)
    paragraphs, tables = text_of(data)
    assert paragraphs[6:8] == ["教工第一党支部", "2026年度三会一课记录本"]
    index = tables[0]
    assert index == [["序号", "日期", "会议类型", "主题", "应到/实到"],
                     ["1", "2026-01-14", "主题党日", "一月主题党日", "—/—"],
                     ["2", "2026-03-24", "支部党员大会", "讨论接收孙预备为预备党员", "3/1"],
                     ["3", "2026-04-22", "党课", "全院党课", "—/—"]]
    assert [p for p in paragraphs if p[:2] in ("1.", "2.", "3.")] == ["1. 主题党日", "2. 支部党员大会", "3. 党课"]
    # Three records, the second with its vote table; the others say there was no vote.
    assert len(tables) == 1 + 3 + 1
    assert paragraphs.count("本次会议无表决事项。") == 2
    body = Document(io.BytesIO(data)).element.body.xml
    assert body.count('w:type="page"') == 1 + 3  # after the cover, then before each record


def test_with_a_user_the_book_holds_only_the_meetings_they_may_see(general_meeting, college):
    assert [m.topic for m in unit_year_meetings(college.t1, 2026, user=college.secretary)] == [
        "讨论接收孙预备为预备党员"]
    assert unit_year_meetings(college.t1, 2026, user=college.other_secretary) == []


def test_an_empty_year_still_makes_a_book(college):
    paragraphs, tables = text_of(unit_year_docx(college.u1, 2026))
    assert "共 0 次会议" in " ".join(paragraphs)
    assert tables == [[["序号", "日期", "会议类型", "主题", "应到/实到"]]]


def test_chinese_fonts_are_set_for_east_asian_text(general_meeting):
    doc = Document(io.BytesIO(meeting_record_docx(general_meeting)))
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "宋体"
    title_run = doc.paragraphs[1].runs[0]
    assert title_run.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"


def test_exports_are_audited(general_meeting, college):
    export_meeting_record(actor=college.secretary, meeting=general_meeting)
    export_unit_year(actor=college.organiser, unit=college.t1, year=2026)
    events = list(AuditEvent.objects.filter(action="meetings.ledger.exported").order_by("id"))
    assert [(e.actor_name, e.target_type, e.note) for e in events] == [
        (college.secretary.display_name, "meetings.meeting", "三会一课记录"),
        (college.organiser.display_name, "organizations.orgunit", "2026年三会一课记录本"),
    ]


def test_the_committed_templates_are_the_ones_the_builder_makes(tmp_path):
    built = build_templates(tmp_path)
    for path in built:
        committed = TEMPLATES / path.name
        assert committed.exists()
        assert text_of(committed.read_bytes()) == text_of(path.read_bytes())
    assert {p.name for p in built} == {MEETING_TEMPLATE, YEAR_TEMPLATE}


def test_the_record_is_rendered_in_a_fixed_number_of_queries(general_meeting, college, django_assert_max_num_queries):
    from dangjian.meetings.ledgers import ledger_queryset

    for month in range(1, 13):
        make_meeting(college.t1, K.THEME_DAY, date(2026, month, 3))
    with django_assert_max_num_queries(6):
        unit_year_docx(college.t1, 2026)
    assert ledger_queryset().count() == 13
