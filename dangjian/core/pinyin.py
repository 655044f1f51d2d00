"""Pinyin for search by initials (张三 → zs) and full spelling (zhangsan)."""

from pypinyin import Style, lazy_pinyin


def full(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.NORMAL, errors="ignore")).lower()


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
