"""Roster import (花名册导入, DESIGN §10): read an xlsx, check every row, preview, apply all or nothing, roll back.

`check_roster` previews (writes nothing); `apply_roster` re-checks and, only if the whole file is valid, writes
it in one transaction with one ImportBatch and one audit event; `rollback_batch` undoes a batch if nobody has
touched its people since. The web page, the API and `dangjian import_roster` all call these functions.

Semantics of a row (documented for the preview page):
- a row matches an existing person by 身份证号 (blind index), else by 工号/学号; a match is updated, otherwise a
  person is created;
- the file is the truth for every column, except that an empty (or masked, as exported) 身份证号 keeps the
  stored number and an empty 民族 keeps the stored value (汉族 for new people);
- an empty 所在党支部 places a non-member under the college committee;
- a change of branch or party group closes the open placement and opens a new one (reason "import").

Error codes are those of the issue, plus `duplicate` (the 身份证号 belongs to one person on the roster and the
工号/学号 to another) and `left` (the person has transferred out; use a transfer in). Warning codes are
WARNING_CODES. The 身份证号 in a report is masked like everywhere else.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import xml.etree.ElementTree as ET  # expat ≥ 2.4 (bundled) refuses entity-expansion bombs
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core import rules
from dangjian.core.audit import record
from dangjian.core.crypto import blind_index
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.periods import add_months
from dangjian.core.permissions import Action
from dangjian.core.scoping import can, scope_paths, today
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit

from . import validation as v
from .choices import (
    MEMBER_STATUSES,
    Education,
    Gender,
    ImportStatus,
    PersonCategory,
    PlacementReason,
    PoliticalStatus,
)
from .models import ImportBatch, Person, Placement
from .services import PeopleError, move_placement, set_id_number, set_name, undo_placement_move

ROSTER_HEADERS: list[str] = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "人员类别", "工号/学号", "所在单位或班级", "手机号码",
    "电子邮箱", "政治面貌", "所在党支部", "所在党小组", "申请入党日期", "确定入党积极分子日期",
    "确定发展对象日期", "入党日期", "转正日期", "学历", "籍贯", "备注",
]

# Column → Person field. The keys of RowChange.diffs are these field names ("unit"/"group" hold unit codes,
# "id_number" is always ["***", "***"]); FIELD_HEADERS gives the column title to show for each.
COLUMN_FIELDS: dict[str, str] = {
    "姓名": "name", "性别": "gender", "民族": "ethnicity", "出生日期": "birth_date", "身份证号": "id_number",
    "人员类别": "category", "工号/学号": "staff_no", "所在单位或班级": "affiliation", "手机号码": "phone",
    "电子邮箱": "email", "政治面貌": "political_status", "所在党支部": "unit", "所在党小组": "group",
    "申请入党日期": "applied_on", "确定入党积极分子日期": "activist_on", "确定发展对象日期": "candidate_on",
    "入党日期": "joined_on", "转正日期": "full_member_on", "学历": "education", "籍贯": "native_place",
    "备注": "note",
}
FIELD_HEADERS: dict[str, str] = {f: h for h, f in COLUMN_FIELDS.items()}

DATE_COLUMNS = ("出生日期", "申请入党日期", "确定入党积极分子日期", "确定发展对象日期", "入党日期", "转正日期")
RECRUITMENT_COLUMNS = ("申请入党日期", "确定入党积极分子日期", "确定发展对象日期", "入党日期", "转正日期")
# The plain fields a row writes (besides name, unit, group and the ID number).
VALUE_FIELDS = (
    "gender", "ethnicity", "birth_date", "category", "staff_no", "affiliation", "phone", "email",
    "political_status", "applied_on", "activist_on", "candidate_on", "joined_on", "full_member_on",
    "education", "native_place", "note",
)
DATE_FIELDS = frozenset({"birth_date", *v.RECRUITMENT_DATE_FIELDS})
ID_FIELDS = ("id_number_encrypted", "id_number_hash", "id_number_masked")
# Codes of RowIssue that are warnings (shown in the preview, never block the import).
WARNING_CODES = frozenset({"phone_missing", "branch_changed", "id_changed", "id_gender_mismatch"})
STAGE_DIR = "imports"

_DATE_RE = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_CN_DATE_RE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_HEX64 = re.compile(r"[0-9a-f]{64}")


# ---------------------------------------------------------------- report types


@dataclass
class RowIssue:
    """One problem (error or warning) in one cell: Excel row (header = 1) and column header."""

    row: int
    column: str
    value: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RowChange:
    """What a valid row will do (preview) or did (applied): create, or update with `{field: [old, new]}`."""

    row: int
    action: str  # "create" | "update"
    person_id: int | None
    name: str
    diffs: dict[str, list] = field(default_factory=dict)


@dataclass
class ImportReport:
    """The result of checking or applying a file. `created`/`updated` are 0 whenever `ok` is False."""

    ok: bool = True
    created: int = 0
    updated: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    file_hash: str = ""
    file_name: str = ""
    unchanged: int = 0  # rows that match a person and change nothing

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "created": self.created,
            "updated": self.updated,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
        }

    def finish(self, columns: list[str] | None = None) -> ImportReport:
        """Sort issues by row, then by the column's place in the sheet; set `ok` and the counts."""
        place = {c: n for n, c in enumerate(columns or [])}

        def key(issue: RowIssue) -> tuple[int, int]:
            return issue.row, place.get(issue.column, len(place))

        self.errors.sort(key=key)
        self.warnings.sort(key=key)
        self.ok = not self.errors
        if self.ok:
            self.created = sum(1 for c in self.changes if c.action == "create")
            self.updated = sum(1 for c in self.changes if c.action == "update")
        else:
            self.created = self.updated = 0
        return self


class ImportFileError(DomainError):
    """The file cannot be read at all (`unreadable`) or a staged upload is gone (`expired`)."""


class ImportRollbackError(DomainError):
    """A batch cannot be rolled back (`already_rolled_back`, `changed_since_import`, `rollback_conflict`)."""

    status = 409


# ---------------------------------------------------------------- reading xlsx (shared with the org importer)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_sha256 = file_hash  # load_staged's parameter is called file_hash (public API)


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: numbers without `.0`, dates as YYYY-MM-DD, whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> date | None:
    """A real Excel date, or text YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日. ValueError if neither."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    m = _DATE_RE.fullmatch(text) or _CN_DATE_RE.fullmatch(text)
    if not m:
        raise ValueError(text)
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def choice_map(choices) -> dict[str, str]:
    """Chinese label → stored value, whatever language the request runs in (the sheet is always Chinese)."""
    with translation.override(None):
        return {str(label): value for value, label in choices.choices}


def choice_labels(choices) -> dict[str, str]:
    return {value: label for label, value in choice_map(choices).items()}


def read_sheet(data: bytes, headers: list[str]) -> tuple[list[RowIssue], list[tuple[int, dict[str, Any]]]]:
    """The first worksheet: header problems (row 1) and the non-empty data rows as (row number, {header: value}).

    Raises ImportFileError("unreadable") for anything that is not a readable, non-empty xlsx within
    settings.IMPORT_MAX_BYTES.
    """
    limit = settings.IMPORT_MAX_BYTES
    if not data:
        raise ImportFileError("unreadable", _("文件为空。"))
    if len(data) > limit:
        raise ImportFileError("unreadable", _("文件超过大小上限 %(mb).1f MB。") % {"mb": limit / 1024 / 1024})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError("unreadable", _("无法读取该文件，请上传 Excel（.xlsx）文件。"))
    try:
        sheet = list(_xml_rows(data))
    except ImportFileError:
        raise
    except Exception:
        sheet = _openpyxl_rows(data)  # an unusual but valid file: the slower, more forgiving reader
    sheet = [(n, values) for n, values in sheet if any(cell_text(c) != "" for c in values)]
    if not sheet:
        raise ImportFileError("unreadable", _("工作表是空的，第1行应为表头。"))
    header = sheet[0][1] if sheet[0][0] == 1 else []
    issues, index = _check_headers([cell_text(c) for c in header], headers)
    rows = [
        (n, {h: (values[i] if i < len(values) else None) for h, i in index.items()})
        for n, values in sheet
        if n > 1
    ]
    return issues, rows


def _openpyxl_rows(data: bytes) -> list[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError("unreadable", _("无法读取该文件，请上传 Excel（.xlsx）文件。"))
    try:
        if not wb.worksheets:
            raise ImportFileError("unreadable", _("工作簿中没有工作表。"))
        return list(enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("unreadable", _("文件已损坏，无法读取。"))
    finally:
        wb.close()


# The xlsx parts are read straight from the XML (ElementTree's C parser): openpyxl's cell objects cost ~1 ms
# per row, which alone would spend most of the 5,000-row budget. Anything unusual falls back to openpyxl.

_REL_SHARED = "/sharedStrings"
_REL_STYLES = "/styles"
# Built-in number formats that show a date: the international ones and those of the Chinese locale.
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, relationships id …)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of a part: {id: (type, target path inside the zip)}."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in z.namelist():
        return {}
    out = {}
    for el in ET.fromstring(z.read(rels_path)):
        target = el.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[el.get("Id", "")] = (el.get("Type", ""), path)
    return out


def _text(el, rph: str) -> str:
    """The text of a string item (plain or rich runs), without phonetic guides (rPh)."""
    if el.find(rph) is None:
        return "".join(el.itertext())
    return "".join("".join(child.itertext()) for child in el if child.tag != rph)


def _date_styles(z: zipfile.ZipFile, path: str | None) -> set[int]:
    from openpyxl.styles.numbers import is_date_format

    if not path or path not in z.namelist():
        return set()
    root = ET.fromstring(z.read(path))
    custom = {int(el.get("numFmtId", "0")): el.get("formatCode", "") for el in root.iter() if _local(el.tag) == "numFmt"}
    xfs = next((el for el in root if _local(el.tag) == "cellXfs"), None)
    dates = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in custom and is_date_format(custom[fmt]) or fmt not in custom and fmt in _DATE_FORMAT_IDS:
            dates.add(i)
    return dates


def _column(ref: str | None, default: int, cache: dict[str, int]) -> int:
    """Zero-based column of a cell reference ("C12" → 2); `default` when the cell has none."""
    if not ref:
        return default
    letters = ref.rstrip("0123456789")
    col = cache.get(letters)
    if col is None:
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        col = cache[letters] = col - 1
    return col


def _xml_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the first worksheet, with openpyxl's data_only semantics."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    z = zipfile.ZipFile(io.BytesIO(data))
    if sum(i.file_size for i in z.infolist()) > 50 * settings.IMPORT_MAX_BYTES:
        raise ImportFileError("unreadable", _("文件解压后过大，无法读取。"))
    root_rels = _rels(z, "")
    book = next((p for t, p in root_rels.values() if t.endswith("/officeDocument")), "xl/workbook.xml")
    wb = ET.fromstring(z.read(book))
    ns = wb.tag[: wb.tag.index("}") + 1] if wb.tag.startswith("{") else ""
    row_tag, c_tag, v_tag, is_tag, rph_tag = (ns + t for t in ("row", "c", "v", "is", "rPh"))
    sheets = list(wb.iter(ns + "sheet"))
    if not sheets:
        raise ImportFileError("unreadable", _("工作簿中没有工作表。"))
    epoch = CALENDAR_WINDOWS_1900
    for el in wb.iter(ns + "workbookPr"):
        if el.get("date1904") in ("1", "true"):
            epoch = CALENDAR_MAC_1904
    rels = _rels(z, book)
    sheet_path = rels[_attr(sheets[0], "id") or ""][1]
    shared_path = next((p for t, p in rels.values() if t.endswith(_REL_SHARED)), None)
    shared = []
    if shared_path and shared_path in z.namelist():
        shared = [_text(si, rph_tag) for si in ET.fromstring(z.read(shared_path)).iter(ns + "si")]
    dates = _date_styles(z, next((p for t, p in rels.values() if t.endswith(_REL_STYLES)), None))

    last = 0
    columns: dict[str, int] = {}
    with z.open(sheet_path) as fh:
        for _event, row in ET.iterparse(fh, events=("end",)):
            if row.tag != row_tag:
                continue
            last = int(row.get("r") or last + 1)
            values: list[Any] = []
            for c in row.iterfind(c_tag):
                col = _column(c.get("r"), len(values), columns)
                if col >= len(values):
                    values.extend([None] * (col - len(values) + 1))
                kind = c.get("t", "n")
                if kind == "inlineStr":
                    item = c.find(is_tag)
                    values[col] = None if item is None else _text(item, rph_tag)
                    continue
                raw = c.findtext(v_tag)
                if raw is None:
                    continue
                if kind == "s":
                    values[col] = shared[int(raw)]
                elif kind == "b":
                    values[col] = raw == "1"
                elif kind in ("str", "e"):
                    values[col] = raw
                elif kind == "d":
                    values[col] = datetime.fromisoformat(raw)
                else:
                    number = float(raw)
                    if dates and int(c.get("s") or 0) in dates:
                        values[col] = from_excel(number, epoch)
                    elif number.is_integer() and raw.lstrip("-").isdigit():
                        values[col] = int(raw)
                    else:
                        values[col] = number
            row.clear()
            yield last, values
    if last == 0:
        raise ValueError("no rows found; let openpyxl have a look")


def _check_headers(found: list[str], expected: list[str]) -> tuple[list[RowIssue], dict[str, int]]:
    """Columns are found by their title; missing, unknown, blank or repeated titles are `bad_header`."""
    from openpyxl.utils import get_column_letter

    while found and found[-1] == "":
        found.pop()
    issues: list[RowIssue] = []
    index: dict[str, int] = {}
    for i, title in enumerate(found):
        if title == "":
            letter = get_column_letter(i + 1)
            issues.append(RowIssue(1, letter, "", "bad_header", _("第%(col)s列缺少表头。") % {"col": letter}))
        elif title not in expected:
            issues.append(RowIssue(1, title, title, "bad_header", _("无法识别的列“%(h)s”，请使用导入模板。") % {"h": title}))
        elif title in index:
            issues.append(RowIssue(1, title, title, "bad_header", _("列“%(h)s”重复出现。") % {"h": title}))
        else:
            index[title] = i
    for title in expected:
        if title not in index and title not in found:
            issues.append(RowIssue(1, title, "", "bad_header", _("缺少列“%(h)s”，请使用导入模板。") % {"h": title}))
    return issues, index


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _require_import(actor) -> None:
    if actor is not None and not can(actor, Action.PEOPLE_IMPORT):
        raise PermissionDenied("forbidden", _("您没有导入花名册的权限。"))


# ---------------------------------------------------------------- checking the roster


@dataclass
class _Row:
    row: int
    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # VALUE_FIELDS that parsed
    id_number: str = ""  # full, valid ID number given in the file
    id_hash: str = ""
    id_masked: str = ""  # a masked ID number (as exported): keeps the stored number
    keep_ethnicity: bool = False
    bad_dates: set[str] = field(default_factory=set)  # date columns that did not parse (no follow-on errors)
    branch_text: str = ""
    group_text: str = ""
    raw: dict[str, str] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    person: Person | None = None
    unit: OrgUnit | None = None
    group: OrgUnit | None = None
    diffs: dict[str, list] = field(default_factory=dict)
    moves: bool = False

    def error(self, column: str, code: str, message: str) -> None:
        value = self.raw.get(column, "")
        if column == "身份证号" and value:
            value = v.mask_id_number(v.normalise_id_number(value))  # reports are lists too (DESIGN §14)
        self.issues.append(RowIssue(self.row, column, value, code, message))


class _Context:
    """Everything the checks look up, loaded in a handful of queries."""

    def __init__(self, actor, lock: bool) -> None:
        self.actor = actor
        self.lock = lock
        self.today = today()
        r = rules.values("recruitment.min_age", "recruitment.probation_months")
        self.min_age = r["recruitment.min_age"]
        self.probation = r["recruitment.probation_months"]
        self.units = {u.pk: u for u in OrgUnit.objects.all()}
        active = [u for u in self.units.values() if u.dissolved_on is None]
        self.branch_by_code = {u.code: u for u in active if u.kind == OrgUnitKind.BRANCH}
        self.branches_by_name: dict[str, list[OrgUnit]] = {}
        for u in active:
            if u.kind == OrgUnitKind.BRANCH:
                self.branches_by_name.setdefault(u.name, []).append(u)
        self.groups = {(u.parent_id, u.name): u for u in active if u.kind == OrgUnitKind.GROUP}
        self.paths = None if actor is None else scope_paths(actor, Action.PEOPLE_IMPORT)
        self.committee = self._committee()
        self.genders = choice_map(Gender)
        self.categories = choice_map(PersonCategory)
        self.statuses = choice_map(PoliticalStatus)
        self.educations = choice_map(Education)

    def allowed(self, unit: OrgUnit) -> bool:
        """core.scoping.can(actor, PEOPLE_IMPORT, unit), with the actor's scope read once."""
        return self.paths is None or any(unit.path.startswith(p) for p in self.paths)

    def _committee(self) -> OrgUnit | None:
        """Where people in no branch are kept: the single root committee (command line), or the committee
        at or above the actor's scope."""
        if self.paths is None:
            roots = [
                u for u in self.units.values()
                if u.parent_id is None and u.kind == OrgUnitKind.COMMITTEE and u.dissolved_on is None
            ]
            return roots[0] if len(roots) == 1 else None
        for path in self.paths:
            ids = [int(x) for x in path.strip("/").split("/") if x]
            for pk in reversed(ids):
                unit = self.units.get(pk)
                if unit is not None and unit.kind == OrgUnitKind.COMMITTEE:
                    return unit
        return None

    def branch(self, text: str) -> OrgUnit | None:
        unit = self.branch_by_code.get(text)
        if unit is None:
            named = self.branches_by_name.get(text, [])
            unit = named[0] if len(named) == 1 else None
        return unit


def _parse(rownum: int, raw: dict[str, Any], ctx: _Context) -> _Row:
    """Per-cell checks: required, allowed values, dates, ID number, phone, e-mail."""
    r = _Row(row=rownum, raw={h: cell_text(raw.get(h)) for h in ROSTER_HEADERS})
    t = r.raw
    r.name = t["姓名"]
    if not r.name:
        r.error("姓名", "required", _("请填写姓名。"))

    def pick(column: str, options: dict[str, str], required: bool) -> str:
        text = t[column]
        if not text:
            if required:
                r.error(column, "required", _("请填写%(col)s。") % {"col": column})
            return ""
        if text not in options:
            r.error(
                column, "bad_value",
                _("“%(v)s”不是有效的%(col)s，可选：%(opts)s。") % {"v": text, "col": column, "opts": "、".join(options)},
            )
            return ""
        return options[text]

    r.values["gender"] = pick("性别", ctx.genders, True)
    r.values["category"] = pick("人员类别", ctx.categories, True)
    r.values["political_status"] = pick("政治面貌", ctx.statuses, True)
    r.values["education"] = pick("学历", ctx.educations, False)
    r.values["ethnicity"] = t["民族"] or "汉族"
    r.keep_ethnicity = not t["民族"]
    for column in ("工号/学号", "所在单位或班级", "手机号码", "电子邮箱", "籍贯", "备注"):
        r.values[COLUMN_FIELDS[column]] = t[column]
    for column, limit in (("姓名", 50), ("民族", 20), ("工号/学号", 30), ("所在单位或班级", 100),
                          ("籍贯", 50), ("备注", 300)):
        if len(t[column]) > limit:
            r.error(column, "bad_value", _("%(col)s不能超过%(n)d个字。") % {"col": column, "n": limit})

    for column in DATE_COLUMNS:
        try:
            d = parse_date(raw.get(column))
        except ValueError:
            r.error(column, "bad_date", _("无法识别的日期“%(v)s”，请写成 2024-05-01 的格式。") % {"v": t[column]})
            r.bad_dates.add(column)
            continue
        if d is not None and d > ctx.today:
            r.error(column, "future_date", _("%(col)s不能晚于今天。") % {"col": column})
            r.bad_dates.add(column)
            continue
        r.values[COLUMN_FIELDS[column]] = d

    raw_id = v.normalise_id_number(t["身份证号"])
    if "*" in raw_id:
        r.id_masked = raw_id
    elif raw_id:
        birth_given = r.values.get("birth_date")
        problem = v.check_id_number(raw_id, birth_given)
        if problem and isinstance(raw.get("身份证号"), (int, float)):
            # Excel keeps 15 significant digits: an ID typed as a number has lost its last ones.
            r.error("身份证号", problem[0], _("身份证号须以文本格式填写（数字格式会丢失后几位）。"))
        elif problem:
            r.error("身份证号", *problem)
        else:
            r.id_number = raw_id
            r.id_hash = blind_index(raw_id)
            if birth_given is None and "出生日期" not in r.bad_dates:
                r.values["birth_date"] = v.id_birth_date(raw_id)
            if r.values["gender"] and v.id_gender(raw_id) != r.values["gender"]:
                r.issues.append(RowIssue(rownum, "性别", t["性别"], "id_gender_mismatch",
                                         _("性别与身份证号中的性别不一致。")))
    if not raw_id and not t["工号/学号"]:
        r.error("身份证号", "required", _("身份证号和工号/学号至少填写一项。"))
    elif r.id_masked and not t["工号/学号"]:
        r.error("身份证号", "required", _("身份证号已脱敏，无法识别人员，请填写完整身份证号或工号/学号。"))

    if t["手机号码"] and not v.phone_ok(t["手机号码"]):
        r.error("手机号码", "bad_phone", _("手机号码应为11位中国大陆手机号。"))
    if t["电子邮箱"] and not v.email_ok(t["电子邮箱"]):
        r.error("电子邮箱", "bad_email", _("电子邮箱格式不正确。"))
    r.branch_text = t["所在党支部"]
    r.group_text = t["所在党小组"]
    return r


def _load_existing(rows: list[_Row], ctx: _Context) -> tuple[dict[str, Person], dict[str, Person]]:
    """Current roster people whose ID number or 工号/学号 appears in the file (chunked IN queries)."""
    hashes = sorted({r.id_hash for r in rows if r.id_hash})
    staff = sorted({r.values["staff_no"] for r in rows if r.values.get("staff_no")})
    base = Person.objects.filter(deleted_at__isnull=True)
    if ctx.lock:
        base = base.select_for_update()
    found: dict[int, Person] = {}
    for chunk in _chunks(hashes):
        found.update((p.pk, p) for p in base.filter(id_number_hash__in=chunk))
    known = {p.staff_no for p in found.values()}
    for chunk in _chunks([s for s in staff if s not in known]):
        found.update((p.pk, p) for p in base.filter(staff_no__in=chunk))
    by_hash = {p.id_number_hash: p for p in found.values() if p.id_number_hash}
    by_staff = {p.staff_no: p for p in found.values() if p.staff_no}
    return by_hash, by_staff


def _check_row(r: _Row, ctx: _Context, by_hash, by_staff, matched: dict[int, int]) -> None:
    """Matching, branch and group, and the rules across columns (dates, status, age)."""
    val = r.values
    staff_no = val.get("staff_no", "")
    out_of_scope = _("所在党支部不存在或不在您的管理范围内。")

    # Who is this row?
    a = by_hash.get(r.id_hash) if r.id_hash else None
    b = by_staff.get(staff_no) if staff_no else None
    if a is not None and b is not None and a.pk != b.pk:
        r.error("工号/学号", "duplicate", _("该工号/学号已属于花名册中的另一人员，与身份证号不符。"))
        return
    person = a or b
    if person is not None:
        if not ctx.allowed(ctx.units[person.unit_id]):
            r.error("所在党支部", "unknown_branch", out_of_scope)
            return
        if person.pk in matched:
            column = "身份证号" if a is not None else "工号/学号"
            r.error(column, "duplicate_in_file", _("与第%(n)d行是同一人员。") % {"n": matched[person.pk]})
            return
        matched[person.pk] = r.row
        if person.left_on:
            r.error("姓名", "left", _("该人员已转出本院，请通过组织关系转接办理转入。"))
        if r.id_masked and r.id_masked != person.id_number_masked:
            r.error("身份证号", "id_checksum", _("脱敏的身份证号与该人员登记的不一致，请填写完整身份证号。"))
        r.person = person
    elif r.id_masked:
        r.error("身份证号", "id_checksum", _("新增人员须填写完整的身份证号。"))

    # Where does the row place the person?
    status = val.get("political_status", "")
    if r.branch_text:
        unit = ctx.branch(r.branch_text)
        if unit is None or not ctx.allowed(unit):
            r.error("所在党支部", "unknown_branch", out_of_scope)
        else:
            r.unit = unit
    elif status in MEMBER_STATUSES:
        r.error("所在党支部", "status_dates_mismatch", _("党员（含预备党员）必须编入党支部。"))
    elif ctx.committee is None:
        r.error("所在党支部", "unknown_branch", _("未找到唯一的上级党委，请填写所在党支部。"))
    else:
        r.unit = ctx.committee
    if r.group_text:
        if r.unit is not None and r.unit.kind == OrgUnitKind.BRANCH:
            r.group = ctx.groups.get((r.unit.pk, r.group_text))
            if r.group is None:
                r.error("所在党小组", "unknown_group",
                        _("“%(b)s”没有名为“%(g)s”的党小组。") % {"b": r.unit.name, "g": r.group_text})
        elif not r.branch_text:
            r.error("所在党小组", "unknown_group", _("填写所在党小组时须同时填写所在党支部。"))

    # Rules across columns (the same ones people.services.validate_person applies).
    present = [(c, val[COLUMN_FIELDS[c]]) for c in RECRUITMENT_COLUMNS if val.get(COLUMN_FIELDS[c])]
    for (c1, d1), (c2, d2) in zip(present, present[1:], strict=False):
        if d2 < d1:
            r.error(c2, "date_order", _("%(b)s不能早于%(a)s。") % {"a": c1, "b": c2})
    joined, full = val.get("joined_on"), val.get("full_member_on")
    if joined and full and full < add_months(joined, ctx.probation):
        r.error("转正日期", "probation_too_short",
                _("转正日期早于入党满%(n)d个月的日期 %(d)s（预备期，党章第7条）。")
                % {"n": ctx.probation, "d": add_months(joined, ctx.probation).isoformat()})
    if {"入党日期", "转正日期"} & r.bad_dates:
        pass  # already reported as a bad date; the status check would only repeat it
    elif status == PoliticalStatus.FULL_MEMBER and not (joined and full):
        r.error("政治面貌", "status_dates_mismatch", _("中共党员应填写入党日期和转正日期。"))
    elif status == PoliticalStatus.PROBATIONARY and (not joined or full):
        r.error("政治面貌", "status_dates_mismatch", _("中共预备党员应填写入党日期，且不应有转正日期。"))
    elif status and status not in MEMBER_STATUSES and (joined or full):
        r.error("政治面貌", "status_dates_mismatch", _("非党员不应填写入党日期或转正日期。"))
    birth, applied = val.get("birth_date"), val.get("applied_on")
    if birth and applied and v.age_on(birth, applied) < ctx.min_age:
        r.error("申请入党日期", "too_young",
                _("申请入党时未满%(n)d周岁（党章第1条）。") % {"n": ctx.min_age})

    # Warnings.
    if status in MEMBER_STATUSES and not val.get("phone"):
        r.issues.append(RowIssue(r.row, "手机号码", "", "phone_missing", _("党员未填写手机号码。")))
    if person is not None and r.unit is not None and person.unit_id != r.unit.pk:
        old = ctx.units[person.unit_id]
        r.issues.append(RowIssue(
            r.row, "所在党支部", r.raw["所在党支部"], "branch_changed",
            _("所在党组织将由“%(old)s”调整为“%(new)s”，并记录组织关系变动。") % {"old": old.name, "new": r.unit.name},
        ))
    if person is not None and r.id_hash and person.id_number_hash and person.id_number_hash != r.id_hash:
        r.issues.append(RowIssue(r.row, "身份证号", "", "id_changed", _("将更正该人员的身份证号。")))


def _diffs(r: _Row, ctx: _Context) -> dict[str, list]:
    """`{field: [old, new]}` between the stored person and the row."""
    p = r.person
    assert p is not None and r.unit is not None
    out: dict[str, list] = {}
    if p.name != r.name:
        out["name"] = [p.name, r.name]
    for f in VALUE_FIELDS:
        if f == "ethnicity" and r.keep_ethnicity:
            continue
        old, new = getattr(p, f), r.values.get(f)
        if new is None and f not in DATE_FIELDS:
            new = ""
        if old != new:
            out[f] = [_plain(old), _plain(new)]
    if p.unit_id != r.unit.pk:
        out["unit"] = [ctx.units[p.unit_id].code, r.unit.code]
    new_group = r.group.pk if r.group else None
    if p.group_id != new_group:
        out["group"] = [ctx.units[p.group_id].code if p.group_id else None, r.group.code if r.group else None]
    if r.id_hash and p.id_number_hash != r.id_hash:
        out["id_number"] = ["***", "***"]
    return out


def _plan(data: bytes, file_name: str, actor, *, lock: bool) -> tuple[ImportReport, list[_Row], _Context | None]:
    report = ImportReport(file_hash=file_hash(data), file_name=file_name)
    header_issues, raw_rows = read_sheet(data, ROSTER_HEADERS)
    if header_issues:
        report.errors.extend(header_issues)
        return report.finish(ROSTER_HEADERS), [], None
    if not raw_rows:
        report.errors.append(RowIssue(2, "姓名", "", "required", _("表格中没有数据行。")))
        return report.finish(ROSTER_HEADERS), [], None
    ctx = _Context(actor, lock)
    rows = [_parse(n, raw, ctx) for n, raw in raw_rows]

    seen_id: dict[str, int] = {}
    seen_staff: dict[str, int] = {}
    for r in rows:
        key = r.id_hash
        if key:
            if key in seen_id:
                r.error("身份证号", "duplicate_in_file", _("身份证号与第%(n)d行重复。") % {"n": seen_id[key]})
            else:
                seen_id[key] = r.row
        staff_no = r.values.get("staff_no")
        if staff_no:
            if staff_no in seen_staff:
                r.error("工号/学号", "duplicate_in_file", _("工号/学号与第%(n)d行重复。") % {"n": seen_staff[staff_no]})
            else:
                seen_staff[staff_no] = r.row

    by_hash, by_staff = _load_existing(rows, ctx)
    matched: dict[int, int] = {}
    for r in rows:
        _check_row(r, ctx, by_hash, by_staff, matched)
        errors = [i for i in r.issues if i.code not in WARNING_CODES]
        report.errors.extend(errors)
        report.warnings.extend(i for i in r.issues if i.code in WARNING_CODES)
        if errors:
            continue
        if r.person is None:
            report.changes.append(RowChange(r.row, "create", None, r.name, {}))
        else:
            r.diffs = _diffs(r, ctx)
            if r.diffs:
                report.changes.append(RowChange(r.row, "update", r.person.pk, r.name, r.diffs))
            else:
                report.unchanged += 1
    return report.finish(ROSTER_HEADERS), rows, ctx


def check_roster(*, data: bytes, file_name: str, actor) -> ImportReport:
    """Preview an upload: every error and warning per row and column, and what each valid row would do.

    Writes nothing. `actor` None is the trusted command line (the whole college).
    """
    _require_import(actor)
    return _plan(data, file_name, actor, lock=False)[0]


# ---------------------------------------------------------------- applying and rolling back


def _common_unit(units: Iterable[OrgUnit], ctx: _Context) -> OrgUnit:
    """The deepest unit above all of `units` — where the batch is filed (its visibility)."""
    fallback = ctx.committee or next(iter(ctx.units.values()))
    paths = [u.path.strip("/").split("/") for u in units]
    if not paths:
        return fallback
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if not common:
        return fallback
    return ctx.units[int(common[-1])]


@transaction.atomic
def apply_roster(*, data: bytes, file_name: str, actor) -> tuple[ImportReport, ImportBatch | None]:
    """Re-check the file and, only if it has no error at all, write it: one ImportBatch, one audit event.

    Returns (report, None) and writes nothing when the file has errors.
    """
    _require_import(actor)
    report, rows, ctx = _plan(data, file_name, actor, lock=True)
    if not report.ok or ctx is None:
        return report, None
    on = today()
    now = timezone.now()
    creates = [r for r in rows if r.person is None]
    updates = [r for r in rows if r.person is not None and r.diffs]

    new_people = []
    for r in creates:
        p = Person(unit=r.unit, group=r.group, **r.values)
        set_name(p, r.name)
        if r.id_number:
            set_id_number(p, r.id_number)
        new_people.append(p)
    Person.objects.bulk_create(new_people, batch_size=500)
    Placement.objects.bulk_create(
        [Placement(person=p, unit=p.unit, group=p.group, starts_on=on, reason=PlacementReason.IMPORT)
         for p in new_people],
        batch_size=500,
    )

    moves: list[dict[str, Any]] = []
    updated: dict[str, dict[str, Any]] = {}
    written: set[str] = set()
    changed_people = []
    for r in updates:
        p = r.person
        assert p is not None and r.unit is not None
        old: dict[str, Any] = {}
        version_before = p.version
        if "unit" in r.diffs or "group" in r.diffs:
            moves.append(move_placement(person=p, unit=r.unit, group=r.group, on=on, reason=PlacementReason.IMPORT))
        plain = [f for f in r.diffs if f not in ("unit", "group", "id_number")]
        for f in plain:
            old[f] = _plain(getattr(p, f))
            if f == "name":
                old["name_pinyin"], old["name_initials"] = p.name_pinyin, p.name_initials
                set_name(p, r.name)
                written.update(("name", "name_pinyin", "name_initials"))
            else:
                setattr(p, f, r.values[f])
                written.add(f)
        if "id_number" in r.diffs:
            old.update({f: getattr(p, f) for f in ID_FIELDS})
            set_id_number(p, r.id_number)
            written.update(ID_FIELDS)
            plain.append("id_number")
        if plain:
            p.version += 1
            p.updated_at = now
            changed_people.append(p)
        updated[str(p.pk)] = {"fields": old, "version": p.version, "version_before": version_before}
    if changed_people:
        _write_fields(changed_people, sorted(written | {"version", "updated_at"}))

    touched = [r.unit for r in creates + updates if r.unit is not None]
    touched += [ctx.units[m["old_unit"]] for m in moves]
    batch = ImportBatch.objects.create(
        file_name=file_name[:200],
        file_hash=report.file_hash,
        unit=_common_unit(touched, ctx),
        created_by=actor,
        created_count=report.created,
        updated_count=report.updated,
        warning_count=len(report.warnings),
        undo={
            "created": [p.pk for p in new_people],
            "updated": updated,
            "placements": moves,
        },
    )
    created_ids = iter(p.pk for p in new_people)
    for change in report.changes:
        if change.action == "create":
            change.person_id = next(created_ids)
    record(
        actor=actor or "system", action="people.import.applied", target=batch, unit=batch.unit,
        changes={"created": [0, report.created], "updated": [0, report.updated], "moved": [0, len(moves)]},
        note=f"{file_name} sha256:{report.file_hash}",
    )
    return report, batch


def _write_fields(people: list[Person], fields: list[str]) -> None:
    """Save `fields` of many people: one parametrised UPDATE run with executemany.

    Django's bulk_update builds a CASE expression per field per row (~1 ms a row), which alone would spend
    half the 5,000-row budget; the values still go through each field's get_db_prep_save.
    """
    meta = Person._meta
    conn = connections[router.db_for_write(Person)]
    columns = [meta.get_field(f) for f in fields]
    qn = conn.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table), ", ".join(f"{qn(c.column)} = %s" for c in columns), qn(meta.pk.column)
    )
    params = [[c.get_db_prep_save(getattr(p, c.attname), conn) for c in columns] + [p.pk] for p in people]
    with conn.cursor() as cursor:
        for chunk in _chunks(params, 1000):
            cursor.executemany(sql, chunk)


def _restore_value(f: str, value: Any) -> Any:
    if f in DATE_FIELDS and value:
        return date.fromisoformat(value)
    return value


@transaction.atomic
def rollback_batch(*, batch: ImportBatch, actor) -> ImportBatch:
    """Undo an applied batch exactly: created people (and their placements) are deleted, updated people get
    their old values back, placement moves are reversed. Refused if any of them changed after the batch.

    Created people are hard-deleted: they were created by the batch and, as the version check proves, nothing
    has been recorded on them since; the ImportBatch row and its audit events keep the history. Updated people
    get their pre-batch `version` back too, so that batches can be rolled back newest first.
    """
    locked = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    if actor is not None and not can(actor, Action.PEOPLE_IMPORT, locked.unit):
        raise PermissionDenied("forbidden", _("您没有回滚该导入批次的权限。"))
    if locked.status != ImportStatus.APPLIED:
        raise ImportRollbackError("already_rolled_back", _("该批次已经回滚。"))
    undo = locked.undo or {}
    created_ids: list[int] = list(undo.get("created", []))
    updated: dict[str, dict[str, Any]] = undo.get("updated", {})
    ids = created_ids + [int(k) for k in updated]
    people: dict[int, Person] = {}
    for chunk in _chunks(ids):
        people.update((p.pk, p) for p in Person.objects.select_for_update().filter(pk__in=chunk))
    expected = dict.fromkeys(created_ids, 1) | {int(k): u["version"] for k, u in updated.items()}
    stale = [
        people[pk].name if pk in people else f"#{pk}"
        for pk, version in expected.items()
        if pk not in people or people[pk].version != version or people[pk].deleted_at is not None
    ]
    if stale:
        shown = "、".join(stale[:10]) + ("……" if len(stale) > 10 else "")
        raise ImportRollbackError(
            "changed_since_import",
            _("以下人员在本次导入后又被修改，不能回滚：%(names)s。") % {"names": shown},
        )
    try:
        with transaction.atomic():
            for move in reversed(undo.get("placements", [])):
                undo_placement_move(move)
            restored = []
            fields: set[str] = set()
            now = timezone.now()
            fresh = {p.pk: p for chunk in _chunks([int(k) for k in updated])
                     for p in Person.objects.filter(pk__in=chunk)}
            for key, u in updated.items():
                p = fresh[int(key)]
                for f, value in u["fields"].items():
                    setattr(p, f, _restore_value(f, value))
                    fields.add(f)
                p.version = u["version_before"]
                p.updated_at = now
                restored.append(p)
            if restored:
                _write_fields(restored, sorted(fields | {"version", "updated_at"}))
            for chunk in _chunks(created_ids):
                Placement.objects.filter(person_id__in=chunk).delete()
                Person.objects.filter(pk__in=chunk).delete()
    except (ProtectedError, IntegrityError, PeopleError):
        raise ImportRollbackError(
            "rollback_conflict", _("本批次导入的人员之后已有其他记录或冲突，不能回滚。")
        )
    locked.status = ImportStatus.ROLLED_BACK
    locked.rolled_back_at = timezone.now()
    locked.rolled_back_by = actor
    locked.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    record(
        actor=actor or "system", action="people.import.rolled_back", target=locked, unit=locked.unit,
        changes={"status": [ImportStatus.APPLIED, ImportStatus.ROLLED_BACK],
                 "deleted": [len(created_ids), 0], "restored": [0, len(updated)]},
    )
    return locked


# ---------------------------------------------------------------- staging uploads between preview and confirm


def _stage_name(digest: str) -> str:
    return f"{STAGE_DIR}/{digest}.xlsx"


def stage_upload(*, data: bytes, file_name: str, actor) -> str:
    """Keep an uploaded file (Django storage, so it works across app processes) until it is confirmed.

    Returns its sha256, the token the confirm step passes to `load_staged`.
    """
    _require_import(actor)
    if not data or len(data) > settings.IMPORT_MAX_BYTES:
        read_sheet(data, ROSTER_HEADERS)  # raises the right "unreadable" message
    digest = file_hash(data)
    name = _stage_name(digest)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    return digest


def load_staged(file_hash: str) -> bytes:
    """The bytes of a staged upload; ImportFileError("expired") when the token is bad or the file is gone."""
    digest = (file_hash or "").strip().lower()
    if not _HEX64.fullmatch(digest):
        raise ImportFileError("expired", _("上传的文件已失效，请重新上传。"))
    name = _stage_name(digest)
    if not default_storage.exists(name):
        raise ImportFileError("expired", _("上传的文件已失效，请重新上传。"))
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    if _sha256(data) != digest:
        raise ImportFileError("expired", _("上传的文件已失效，请重新上传。"))
    return data

