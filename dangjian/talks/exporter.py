"""Word out: one talk as the official 谈心谈话记录 layout (DESIGN §10). The caller has read the contents
through services.read_talk_summary, which logged the read."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .models import Talk
from .services import TalkContents

FONT = "宋体"


def _font(run, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    run.bold = bold
    if size:
        run.font.size = Pt(size)


def talk_record_docx(talk: Talk, contents: TalkContents) -> bytes:
    """A one-page 谈心谈话记录: the record, its contents and lines for both signatures."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(_("谈心谈话记录")), size=18, bold=True)
    rows = [
        (_("所属党组织"), talk.unit.name),
        (_("谈话类型"), str(talk.get_kind_display())),
        (_("谈话日期"), talk.held_on.strftime("%Y-%m-%d")),
        (_("谈话地点"), talk.place),
        (_("谈话人"), talk.initiator.name),
        (_("谈话对象"), talk.counterpart.name),
        (_("谈话主要内容"), contents.summary),
        (_("需跟进事项"), contents.follow_up or "—"),
        (_("签字"), _("谈话人：            谈话对象：")),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for (label, value), row in zip(rows, table.rows, strict=True):
        _font(row.cells[0].paragraphs[0].add_run(str(label)), size=11, bold=True)
        _font(row.cells[1].paragraphs[0].add_run(str(value)), size=11)
    note = doc.add_paragraph()
    _font(note.add_run(_("本记录内容保密，仅供谈话双方及有权人员查阅。")), size=9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
