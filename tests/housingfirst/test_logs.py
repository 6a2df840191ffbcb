"""Structured logs: one line per request with the user's id (never the name) and the time."""

import json
import logging
import sys

import pytest

from housingfirst.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "housingfirst.requests"]


def test_one_line_per_request_with_the_users_id_and_the_time(worker_client, worker, caplog):
    caplog.set_level(logging.INFO, logger="housingfirst.requests")

    worker_client.get("/borgere/?q=Jensen")

    [line] = _request_lines(caplog)
    assert line.user_id == worker.pk
    assert line.method == "GET"
    assert line.path == "/borgere/"
    assert line.status == 302  # the search moves into the session, out of the URL
    assert line.duration_ms > 0
    text = JsonFormatter().format(line)
    # Who the user is and what they searched for stay out of the log.
    assert worker.username not in text
    assert worker.first_name not in text
    assert "Jensen" not in text


def test_a_request_without_login_is_logged_without_a_user(client, caplog):
    caplog.set_level(logging.INFO, logger="housingfirst.requests")

    client.get("/borgere/")

    [line] = _request_lines(caplog)
    assert line.user_id is None
    assert line.status == 302


def test_the_json_line_carries_the_fields():
    record = logging.makeLogRecord(
        {"name": "housingfirst.requests", "levelname": "INFO", "msg": "GET / 200", "user_id": 7, "status": 200}
    )

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "GET / 200"
    assert line["logger"] == "housingfirst.requests"
    assert line["level"] == "INFO"
    assert line["user_id"] == 7
    assert line["status"] == 200
    assert line["time"].endswith("+00:00")


def test_an_exception_is_kept_in_the_same_line():
    try:
        raise ValueError("no rate on 01.10.2026")
    except ValueError:
        record = logging.makeLogRecord({"msg": "failed", "levelname": "ERROR"})
        record.exc_info = sys.exc_info()

    text = JsonFormatter().format(record)

    assert "\n" not in text
    assert "ValueError: no rate on 01.10.2026" in json.loads(text)["exception"]
