"""Logging: one line per record on stderr, JSON lines in production, readable text in development.

`MICRODEGREE_LOG_FORMAT` is `json` or `text` (default: `text` with DEBUG on, else `json`);
`MICRODEGREE_LOG_LEVEL` the root level (default INFO). Every record carries the request it was
written for (`request_id`, `method`, `path`, `user`, `institution`, where known: set by
`microdegree.web.faults.FaultsMiddleware` in a context variable) and, for errors, the traceback.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

_request: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "microdegree_request", default=None)

FIELDS = ("request_id", "method", "path", "user", "institution")


def bind(**values: Any) -> contextvars.Token[dict[str, Any] | None]:
    """Start a request's log context (reset it with `unbind(token)`)."""
    return _request.set(dict(values))


def unbind(token: contextvars.Token[dict[str, Any] | None]) -> None:
    _request.reset(token)


def annotate(**values: Any) -> None:
    """Add what became known during the request (the user, the institution)."""
    current = _request.get()
    if current is not None:
        current.update({k: v for k, v in values.items() if v not in (None, "")})


def current(name: str) -> Any:
    context = _request.get()
    if context is None:
        return None
    value = context.get(name)
    return value() if callable(value) else value


class RequestContext(logging.Filter):
    """Copies the request's fields onto every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in FIELDS:
            if not hasattr(record, name):
                try:
                    setattr(record, name, current(name))
                except Exception:  # a lazy field must never break logging
                    setattr(record, name, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        for name in ("reference", "status", "code", "worker_id"):
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            out["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["traceback"] = record.exc_text
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id user] message`, then the traceback (development)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        tags = " ".join(str(getattr(record, n)) for n in ("request_id", "user", "institution")
                        if getattr(record, n, None) is not None)
        line = f"{when} {record.levelname:<7} {record.name}"
        if tags:
            line += f" [{tags}]"
        line += f" {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def logging_config(fmt: str, level: str = "INFO") -> dict[str, Any]:
    """The `LOGGING` setting: everything to stderr through one handler."""
    formatter = "json" if fmt == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "microdegree.logs.RequestContext"}},
        "formatters": {
            "json": {"()": "microdegree.logs.JsonFormatter"},
            "text": {"()": "microdegree.logs.TextFormatter"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": formatter,
                "filters": ["request"],
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django's defaults mail admins (none are set) and print only with DEBUG: replaced.
            "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }
