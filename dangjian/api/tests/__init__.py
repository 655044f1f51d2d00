"""Helpers for the API tests: one real bearer token per fixture user, and a permission-matrix runner."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from dangjian.accounts.services import create_token

PREFIX = "/api/v1"

# Every viewer a matrix row covers (DESIGN §4): anonymous, no role, plain member, own-branch and
# other-branch secretaries, the college organiser, and the three system administrators.
VIEWERS = (
    "anonymous", "norole", "member", "secretary", "other_secretary", "organiser", "sysadmin", "secadmin", "auditor",
)
SYSTEM_ADMINS = ("sysadmin", "secadmin", "auditor")


class ApiClient:
    """Calls /api/v1 as any fixture user with a real bearer token (accounts.services.create_token)."""

    def __init__(self, college) -> None:
        self.college = college
        self.keys = {who: create_token(user=user, name=f"test-{who}")[1] for who, user in college.users.items()}
        self.client = Client()

    def headers(self, who: str) -> dict[str, str]:
        return {} if who == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {self.keys[who]}"}

    def call(self, who: str, method: str, path: str, data: Any = None, **extra: Any):
        url = PREFIX + path
        extra = {**self.headers(who), **extra}
        if method == "get":
            return self.client.get(url, data=data or {}, **extra)
        body = json.dumps(data) if data is not None else ""
        return getattr(self.client, method)(url, data=body, content_type="application/json", **extra)

    def get(self, who: str, path: str, data: Any = None, **extra: Any):
        return self.call(who, "get", path, data, **extra)

    def post(self, who: str, path: str, data: Any = None, **extra: Any):
        return self.call(who, "post", path, data, **extra)

    def patch(self, who: str, path: str, data: Any = None, **extra: Any):
        return self.call(who, "patch", path, data, **extra)

    def delete(self, who: str, path: str, data: Any = None, **extra: Any):
        return self.call(who, "delete", path, data, **extra)

    def matrix(self, method: str, path: str, expected: dict[str, int], data: Any = None) -> dict[str, Any]:
        """Call `path` as each viewer in `expected` and compare statuses; report every mismatch at once.

        `data` may be a callable `who -> body` for writes that must differ per viewer (unique codes …).
        Returns the responses by viewer for further checks.
        """
        missing = set(VIEWERS) - set(expected)
        assert not missing, f"matrix for {method.upper()} {path} lacks {sorted(missing)}"
        responses, mismatches = {}, []
        for who, status in expected.items():
            body = data(who) if callable(data) else data
            response = self.call(who, method, path, body)
            responses[who] = response
            if response.status_code != status:
                mismatches.append(f"{who}: expected {status}, got {response.status_code} {response.content[:200]!r}")
        assert not mismatches, f"{method.upper()} {path}:\n  " + "\n  ".join(mismatches)
        return responses


def ids(response) -> set[int]:
    data = response.json()
    items = data["items"] if isinstance(data, dict) else data
    return {item["id"] for item in items}


def all_ok(**overrides: int) -> dict[str, int]:
    """A matrix row where everyone signed in gets 200 and anonymous 401, with overrides."""
    row = dict.fromkeys(VIEWERS, 200)
    row["anonymous"] = 401
    row.update(overrides)
    return row


def row(anonymous=401, **statuses: int) -> dict[str, int]:
    return {"anonymous": anonymous, **statuses}
