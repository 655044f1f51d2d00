"""The current request's id, so audit events written deep inside a service can name it (DESIGN §5)."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None = None) -> contextvars.Token:
    return _request_id.set(value or uuid.uuid4().hex[:16])


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)
