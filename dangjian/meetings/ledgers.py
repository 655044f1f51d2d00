"""Word ledgers (台账, issue 3 §10): a meeting's record in the 三会一课记录 layout and a unit's 记录本 for a year.

Rendered with docxtpl from the templates in `templates_docx/` (meeting_record.docx, unit_year.docx). The
templates are built by `build_templates()` with python-docx — run `python -m dangjian.meetings.ledgers` to
rebuild them after changing the layout; an administrator may also restyle them in Word as long as the tags
stay. docxtpl pitfalls handled here: `{%tr for %}` and `{%tr endfor %}` each sit in a row of their own;
Chinese text needs the w:eastAsia font on every style used. Facts come from the meeting record as entered
(DESIGN §15: entered once, never re-typed into a ledger).
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record
from dangjian.core.periods import period_of
from dangjian.organizations.models import OrgUnit

from .choices import AttendanceStatus, MeetingKind, MeetingStatus
from .compliance import local_days
from .models import AgendaItem, Attendance, Meeting, MeetingCredit, Vote

TEMPLATES = Path(__file__).with_name("templates_docx")
MEETING_TEMPLATE = "meeting_record.docx"
YEAR_TEMPLATE = "unit_year.docx"
FONT = "宋体"
TITLE_FONT = "黑体"
# A 记录本 holds the meetings that took place: planned and cancelled ones are left out.
LEDGER_STATUSES = (MeetingStatus.HELD, MeetingStatus.REVIEWED, MeetingStatus.RETURNED)


# ---------------------------------------------------------------- the data


def _name(person) -> str:
    return person.name if person is not None else ""


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    text = f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}"
    if meeting.ends_at:
        end = timezone.localtime(meeting.ends_at)
        text += f"—{end:%H:%M}" if end.date() == start.date() else f"—{end.month}月{end.day}日 {end:%H:%M}"
    return text


def _kind(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def meeting_context(meeting: Meeting) -> dict[str, Any]:
    """What the 三会一课记录 shows, as plain text. Uses prefetched relations when the caller loaded them
    (see `ledger_queryset`); otherwise a handful of queries."""
    attendances = list(meeting.attendances.all())
    expected_rows = [a for a in attendances if not a.is_observer]
    if expected_rows:
        expected = len(expected_rows)
        present = sum(1 for a in expected_rows if a.status == AttendanceStatus.PRESENT)
    else:
        expected, present = meeting.expected_count, meeting.present_count
    away = []
    for a in sorted(expected_rows, key=lambda a: (a.person.name_pinyin, a.person_id)):
        if a.status in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT):
            label = _("请假") if a.status == AttendanceStatus.EXCUSED else _("缺席")
            away.append(f"{a.person.name}（{label}：{a.reason}）" if a.reason else f"{a.person.name}（{label}）")
    observers = sorted((a.person for a in attendances if a.is_observer), key=lambda p: (p.name_pinyin, p.pk))
    credits = list(meeting.credits.all())
    also = [c.kind for c in credits if c.unit_id == meeting.unit_id and c.kind != meeting.kind]
    if any(c.kind == MeetingKind.GROUP and c.unit_id != meeting.unit_id for c in credits):
        also.append(MeetingKind.GROUP)
    also = [k for k in MeetingKind.values if k in also]
    agenda = sorted(meeting.agenda.all(), key=lambda i: (i.order, i.pk))
    votes = []
    for v in sorted(meeting.votes.all(), key=lambda v: v.pk):
        votes.append({
            "title": v.title,
            "subject": v.get_subject_display(),
            "eligible": v.eligible,
            "present": v.present,
            "in_favour": v.in_favour,
            "against": v.against,
            "abstaining": v.abstaining,
            "written": f"{v.written_in_favour}/{v.written_total}" if v.written_total else "—",
            "quorum": _("达到") if v.quorum_met else _("未达到"),
            "result": _("通过") if v.passed else _("未通过"),
        })
    lecturer = _name(meeting.lecturer) or meeting.lecturer_name
    return {
        "unit_name": meeting.unit.name,
        "kind": _kind(meeting.kind),
        "counts_as": "、".join(_kind(k) for k in also) or "—",
        "when": _when(meeting),
        "date": timezone.localtime(meeting.starts_at).date().isoformat(),
        "place": meeting.place or "—",
        "host": _name(meeting.host) or "—",
        "recorder": _name(meeting.recorder) or "—",
        "lecturer": lecturer or "—",
        "topic": meeting.topic,
        "expected": "—" if expected is None else expected,
        "present": "—" if present is None else present,
        "away": "；".join(away) or _("无"),
        "observers": "、".join(p.name for p in observers) or _("无"),
        "agenda": "\n".join(f"{i}. {item.title}" for i, item in enumerate(agenda, start=1)) or "—",
        "minutes": meeting.minutes or "—",
        "resolutions": meeting.resolutions or _("无"),
        "votes": votes,
        "status": meeting.get_status_display(),
        "returned_reason": meeting.returned_reason if meeting.status == MeetingStatus.RETURNED else "",
    }


def ledger_queryset():
    """Meetings with everything a record shows, prefetched (a fixed number of queries for any number)."""
    return Meeting.objects.select_related("unit", "host", "recorder", "lecturer").prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("person")),
        Prefetch("agenda", queryset=AgendaItem.objects.order_by("order", "id")),
        Prefetch("votes", queryset=Vote.objects.order_by("id")),
        Prefetch("credits", queryset=MeetingCredit.objects.all()),
    )


def unit_year_meetings(unit: OrgUnit, year: int, *, user=None) -> list[Meeting]:
    """The unit's meetings of the year that took place, in order: those it held and those that count for it
    (a college-wide lecture for a branch); with `user`, only those the user may see (MEETINGS_VIEW)."""
    period = period_of(date(year, 1, 1), "year")
    start, end = local_days(period.start, period.end)
    ids = Meeting.objects.filter(Q(unit=unit) | Q(credits__unit=unit)).values("pk")
    qs = ledger_queryset().filter(pk__in=ids, starts_at__gte=start, starts_at__lt=end, status__in=LEDGER_STATUSES)
    if user is not None:
        from .selectors import meetings_visible_to

        qs = qs.filter(pk__in=meetings_visible_to(user).values("pk"))
    return list(qs.order_by("starts_at", "id"))


# ---------------------------------------------------------------- rendering


def _template(name: str):
    from docxtpl import DocxTemplate

    path = TEMPLATES / name
    if path.exists():
        return DocxTemplate(str(path))
    return DocxTemplate(io.BytesIO(_build(name)))


def _render(name: str, context: dict[str, Any]) -> bytes:
    doc = _template(name)
    doc.render(context, autoescape=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def meeting_record_docx(meeting: Meeting) -> bytes:
    """One meeting's 三会一课记录 (.docx)."""
    return _render(MEETING_TEMPLATE, {"m": meeting_context(meeting), "printed": timezone.localdate().isoformat()})


meeting_docx = meeting_record_docx


def unit_year_docx(unit: OrgUnit, year: int, meetings: list[Meeting] | None = None, *, user=None) -> bytes:
    """A unit's 三会一课记录本 for the year: a cover, an index, then every meeting's record on its own page
    (the meetings `user` may see, when given)."""
    meetings = unit_year_meetings(unit, year, user=user) if meetings is None else meetings
    rows = [meeting_context(m) for m in meetings]
    for i, row in enumerate(rows, start=1):
        row["n"] = i
    return _render(YEAR_TEMPLATE, {"unit_name": unit.name, "year": year, "meetings": rows,
                                   "count": len(rows), "printed": timezone.localdate().isoformat()})


@transaction.atomic
def export_meeting_record(*, actor, meeting: Meeting) -> bytes:
    """The record for download, with an audit event (exports of party data are logged). The caller has
    fetched `meeting` with selectors.access_meeting."""
    data = meeting_record_docx(meeting)
    record(actor=actor, action="meetings.ledger.exported", target=meeting, unit=meeting.unit,
           note=_("三会一课记录"))
    return data


@transaction.atomic
def export_unit_year(*, actor, unit: OrgUnit, year: int) -> bytes:
    """The unit-year 记录本 for download, with an audit event. The caller has checked access to `unit`."""
    data = unit_year_docx(unit, year, user=actor)
    record(actor=actor, action="meetings.ledger.exported", target=unit, unit=unit,
           note=_("%(year)d年三会一课记录本") % {"year": year})
    return data


# ---------------------------------------------------------------- building the templates


def _fonts(style_or_run, font: str = FONT) -> None:
    """Set the Latin and East Asian fonts (Word ignores font.name for Chinese text without w:eastAsia)."""
    from docx.oxml.ns import qn

    style_or_run.font.name = font
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _document():
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    for name in ("Normal", "Table Grid"):
        style = doc.styles[name]
        _fonts(style)
    doc.styles["Normal"].font.size = Pt(11)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2)
    return doc


def _title(doc, text: str, size: int = 16):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(size)
    _fonts(run, TITLE_FONT)
    return p


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    _fonts(run, TITLE_FONT if bold else FONT)


def _record(doc, m: str) -> None:
    """The record of one meeting; `m` is the Jinja name of its context ('m')."""
    from docx.shared import Cm

    rows = [
        ("会议类型", f"{{{{ {m}.kind }}}}", "同时计为", f"{{{{ {m}.counts_as }}}}"),
        ("时间", f"{{{{ {m}.when }}}}", "地点", f"{{{{ {m}.place }}}}"),
        ("主持人", f"{{{{ {m}.host }}}}", "记录人", f"{{{{ {m}.recorder }}}}"),
        ("应到人数", f"{{{{ {m}.expected }}}}", "实到人数", f"{{{{ {m}.present }}}}"),
        ("会议主题", f"{{{{ {m}.topic }}}}"),
        ("授课人", f"{{{{ {m}.lecturer }}}}"),
        ("缺席人员及原因", f"{{{{ {m}.away }}}}"),
        ("列席人员", f"{{{{ {m}.observers }}}}"),
        ("议程", f"{{{{ {m}.agenda }}}}"),
        ("会议记录", f"{{{{ {m}.minutes }}}}"),
        ("决议", f"{{{{ {m}.resolutions }}}}"),
    ]
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = doc.styles["Table Grid"]
    for i, values in enumerate(rows):
        cells = table.rows[i].cells
        _cell(cells[0], values[0], bold=True)
        if len(values) == 4:
            _cell(cells[1], values[1])
            _cell(cells[2], values[2], bold=True)
            _cell(cells[3], values[3])
        else:
            merged = cells[1].merge(cells[3])
            _cell(merged, values[1])
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(3), Cm(5.3), Cm(3), Cm(5.3)), strict=False):
            cell.width = width
    doc.add_paragraph()
    heading = doc.add_paragraph()
    run = heading.add_run("表决结果")
    run.bold = True
    _fonts(run, TITLE_FONT)
    doc.add_paragraph(f"{{%p if {m}.votes %}}")
    headers = ("表决事项", "应到会", "实到会", "赞成", "反对", "弃权", "书面意见", "结果")
    votes = doc.add_table(rows=4, cols=len(headers))
    votes.style = doc.styles["Table Grid"]
    for cell, text in zip(votes.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True)
    _cell(votes.rows[1].cells[0], f"{{%tr for v in {m}.votes %}}")
    fields = ("{{ v.title }}（{{ v.subject }}）", "{{ v.eligible }}", "{{ v.present }}", "{{ v.in_favour }}",
              "{{ v.against }}", "{{ v.abstaining }}", "{{ v.written }}", "{{ v.result }}（法定人数{{ v.quorum }}）")
    for cell, text in zip(votes.rows[2].cells, fields, strict=True):
        _cell(cell, text)
    _cell(votes.rows[3].cells[0], "{%tr endfor %}")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("本次会议无表决事项。")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph(f"{{%p if {m}.returned_reason %}}")
    doc.add_paragraph(f"退回修改意见：{{{{ {m}.returned_reason }}}}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph()
    doc.add_paragraph(f"记录状态：{{{{ {m}.status }}}}　　主持人签字：＿＿＿＿＿＿　　记录人签字：＿＿＿＿＿＿")


def _build(name: str) -> bytes:
    """The template `name` as .docx bytes, built with python-docx."""
    doc = _document()
    if name == MEETING_TEMPLATE:
        _title(doc, "{{ m.unit_name }}")
        _title(doc, "三会一课记录", 18)
        _record(doc, "m")
        doc.add_paragraph("打印日期：{{ printed }}")
    elif name == YEAR_TEMPLATE:
        for _i in range(6):
            doc.add_paragraph()
        _title(doc, "{{ unit_name }}", 22)
        _title(doc, "{{ year }}年度三会一课记录本", 22)
        doc.add_paragraph()
        _title(doc, "共 {{ count }} 次会议　打印日期：{{ printed }}", 12)
        doc.add_page_break()
        _title(doc, "目录")
        index = doc.add_table(rows=4, cols=5)
        index.style = doc.styles["Table Grid"]
        for cell, text in zip(index.rows[0].cells, ("序号", "日期", "会议类型", "主题", "应到/实到"), strict=True):
            _cell(cell, text, bold=True)
        _cell(index.rows[1].cells[0], "{%tr for m in meetings %}")
        for cell, text in zip(index.rows[2].cells, ("{{ m.n }}", "{{ m.date }}", "{{ m.kind }}", "{{ m.topic }}",
                                                     "{{ m.expected }}/{{ m.present }}"), strict=True):
            _cell(cell, text)
        _cell(index.rows[3].cells[0], "{%tr endfor %}")
        doc.add_paragraph("{%p for m in meetings %}")
        doc.add_page_break()
        _title(doc, "{{ m.n }}. {{ m.kind }}")
        _record(doc, "m")
        doc.add_paragraph("{%p endfor %}")
    else:
        raise ValueError(name)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_templates(folder: Path = TEMPLATES) -> list[Path]:
    """Write both templates into `folder` (the app's templates_docx by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in (MEETING_TEMPLATE, YEAR_TEMPLATE):
        path = folder / name
        path.write_bytes(_build(name))
        written.append(path)
    return written


if __name__ == "__main__":  # python -m dangjian.meetings.ledgers
    for p in build_templates():
        print(p)
