"""Build small xlsx files for the import tests (openpyxl, in memory)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook

from dangjian.core.testing import make_id_number


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]] = (), title: str = "Sheet1") -> bytes:
    """A workbook whose first sheet holds `headers` in row 1 and `rows` below it."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table(headers: Sequence[str], *rows: Mapping[str, Any]) -> bytes:
    """Rows given as {header: value}; headers not in a row are left empty."""
    return xlsx_bytes(headers, [[row.get(h) for h in headers] for row in rows])


def read_rows(data: bytes, sheet: int | str = 0) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def sheet_names(data: bytes) -> list[str]:
    return load_workbook(io.BytesIO(data), read_only=True).sheetnames


def member_row(seq: int, **over: Any) -> dict[str, Any]:
    """A valid row for a full member of 教工第一党支部 (JY-T1), 第一党小组. `seq` makes the ID and 工号 unique."""
    birth = date(1980, 1, 1 + seq % 28)
    row: dict[str, Any] = {
        "姓名": f"新党员{seq}",
        "性别": "男" if seq % 2 else "女",
        "民族": "汉族",
        "出生日期": birth,
        "身份证号": make_id_number(birth, seq * 2 + (1 if seq % 2 else 0)),
        "人员类别": "教职工",
        "工号/学号": f"N{seq:05d}",
        "所在单位或班级": "检验系",
        "手机号码": f"139{seq:08d}",
        "电子邮箱": f"n{seq}@example.edu.cn",
        "政治面貌": "中共党员",
        "所在党支部": "JY-T1",
        "所在党小组": "第一党小组",
        "申请入党日期": "2001-03-01",
        "确定入党积极分子日期": "2001-09-01",
        "确定发展对象日期": "2002-09-01",
        "入党日期": "2003-01-01",
        "转正日期": "2004-01-01",
        "学历": "博士研究生",
        "籍贯": "北京",
        "备注": "",
    }
    row.update(over)
    return row


def masses_row(seq: int, **over: Any) -> dict[str, Any]:
    """A valid row for a student who is not a member (群众), kept under the committee (no branch)."""
    birth = date(2004, 2, 1 + seq % 28)
    row: dict[str, Any] = {
        "姓名": f"新同学{seq}",
        "性别": "男" if seq % 2 else "女",
        "出生日期": birth,
        "身份证号": make_id_number(birth, seq * 2 + (1 if seq % 2 else 0)),
        "人员类别": "学生",
        "工号/学号": f"S9{seq:05d}",
        "所在单位或班级": "2023级检验1班",
        "政治面貌": "共青团员",
    }
    row.update(over)
    return row


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def excel_like_xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook shaped like the ones Excel and WPS save (openpyxl itself writes inline strings instead).

    Text goes to the shared-string table (a tuple of runs becomes rich text with a phonetic guide that must be
    ignored), dates are serial numbers styled with built-in format 14 (`date`) or the custom format
    yyyy年m月d日 (`datetime`), numbers are numbers, booleans are booleans.
    """
    import zipfile
    from datetime import datetime

    from openpyxl.utils import get_column_letter

    strings: list[str] = []
    index: dict[str, int] = {}

    def shared(value) -> int:
        key = repr(value)
        if key not in index:
            index[key] = len(strings)
            if isinstance(value, tuple):
                runs = "".join(f"<r><t>{_esc(run)}</t></r>" for run in value)
                strings.append(f'<si>{runs}<rPh sb="0" eb="1"><t>注音</t></rPh></si>')
            else:
                strings.append(f'<si><t xml:space="preserve">{_esc(value)}</t></si>')
        return index[key]

    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = f"{get_column_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, datetime):
                serial = (value - datetime(1899, 12, 30)).days
                cells.append(f'<c r="{ref}" s="2"><v>{serial}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{ref}" s="1"><v>{(value - date(1899, 12, 30)).days}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')

    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} {_R_NS}>'
            '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
            f'<sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {_NS} count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{"".join(strings)}</sst>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {_NS}>'
            '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()
