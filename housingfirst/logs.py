"""Structured logs: one JSON object per line, so a log store can filter by user, path, status or time.

Every request writes one line (`housingfirst.requests`) with the user's id, never the name: a log is
read by operators who must not learn who works with which citizen, and names change. Only the path is
logged, never the query string or the body, which can hold what a user searched for.
"""

import json
import logging
import time
from datetime import UTC, datetime

from django.db import connection
from django.http import HttpRequest

request_logger = logging.getLogger("housingfirst.requests")

# Attributes every LogRecord has; whatever else a call passed in `extra=` goes into the line.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def _plain(value):
    """django.request passes the request itself; its repr holds the query string (a search, a birth date)."""
    if isinstance(value, HttpRequest):
        return {"method": value.method, "path": value.path}
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({key: _plain(value) for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RequestLogMiddleware:
    """The first middleware: its time covers every other middleware, the view and the template."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        queries_before = len(connection.queries) if connection.queries_logged else None
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user.pk if user is not None and user.is_authenticated else None,
        }
        if queries_before is not None:
            fields["queries"] = len(connection.queries) - queries_before
        request_logger.info(
            "%s %s %s %.1f ms", request.method, request.path, response.status_code, duration_ms, extra=fields
        )
        return response
