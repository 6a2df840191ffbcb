"""Error reports and log lines carry no personal data from the request: no query values, no body, no locals."""

import json
import logging
import sys

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from housingfirst.error_reports import PersonalDataReporter
from housingfirst.logs import JsonFormatter

SECRETS = ("Nørgaard", "N%C3%B8rgaard", "0101901238", "Gæld til Skat", "aase-oestergaard.pdf", "Åse Østergård")


def _failing_request():
    upload = SimpleUploadedFile("aase-oestergaard.pdf", b"%PDF-1.4", content_type="application/pdf")
    request = RequestFactory().post(
        "/borgere/3/ret/?q=Nørgaard",
        {"cpr": "0101901238", "note": "Gæld til Skat", "document": upload},
        HTTP_REFERER="https://bostotte.example/borgere/?q=Nørgaard",
    )
    request.user = type("Anonymous", (), {"is_authenticated": False, "__str__": lambda self: "anon"})()
    return request


def _fail():
    citizen_name = "Åse Østergård"  # noqa: F841 - a local the report would print
    raise RuntimeError("the view broke")


def _exc_info():
    try:
        _fail()
    except RuntimeError:
        return sys.exc_info()


def test_the_report_keeps_path_traceback_and_parameter_names_but_no_values(settings):
    settings.DEBUG = False
    request = _failing_request()
    reporter = PersonalDataReporter(request, *_exc_info())
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        for secret in SECRETS:
            assert secret not in report, secret
        assert "/borgere/3/ret/" in report and "the view broke" in report and "_fail" in report
        assert "cpr" in report and "note" in report and "document" in report
    assert "citizen_name" in reporter.get_traceback_html()  # the locals by name and type


@pytest.mark.django_db
def test_the_error_email_to_the_administrators_leaves_the_request_out(settings):
    settings.DEBUG = False
    settings.ADMINS = [("Drift", "drift@example.dk")]
    request = _failing_request()
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=_exc_info(), extra={"status_code": 500, "request": request}
    )
    [message] = mail.outbox
    bodies = [message.subject, message.body, *(content for content, _type in message.alternatives)]
    for secret in SECRETS:
        assert all(secret not in body for body in bodies), secret
    assert "/borgere/3/ret/" in message.body


def test_a_log_line_of_django_request_shows_the_path_without_the_query():
    request = RequestFactory().get("/borgere/?q=Nørgaard&born=010190")
    record = logging.makeLogRecord(
        {"name": "django.request", "levelname": "WARNING", "msg": "Not Found: %s", "args": (request.path,)}
    )
    record.request, record.status_code = request, 404
    line = json.loads(JsonFormatter().format(record))
    assert line["request"] == {"method": "GET", "path": "/borgere/"}
    assert "rgaard" not in json.dumps(line) and "010190" not in json.dumps(line)
