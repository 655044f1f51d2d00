"""Domain errors: every refusal carries a stable code and a translated message (STYLE: errors)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A write the rules forbid. `code` is stable (API, tests); `message` is for people."""

    status = 400

    def __init__(self, code: str, message: Any = "", **params: Any) -> None:
        self.code = code
        self.message = str(message) if message else code
        self.params = params
        super().__init__(f"{code}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **({"params": self.params} if self.params else {})}


class PermissionDenied(DomainError):
    """The actor may not do this. Views turn it into 403 (or 404 when the object itself is out of scope)."""

    status = 403


class ConcurrentEdit(DomainError):
    """The record changed since the form was loaded; nothing was written."""

    status = 409
