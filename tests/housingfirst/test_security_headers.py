"""Headers: a Content-Security-Policy on every page; signed-in pages are never cached."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_page_with_personal_data_is_not_cached_and_has_a_csp(worker_client):
    response = worker_client.get("/borgere/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert 'style="' not in response.content.decode()


def test_inline_scripts_carry_the_nonce(worker_client):
    response = worker_client.get("/indsatser/besoeg/ny/")
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    html = response.content.decode()
    assert "<script>" not in html and f'nonce="{nonce}"' in html
    assert "onclick=" not in html and "onsubmit=" not in html


@pytest.mark.parametrize("path", ["/borgere/?q=%00", "/kommuner/?q=%00"])
def test_a_nul_byte_in_a_search_is_not_a_server_error(admin_client_, path):
    response = admin_client_.get(path)
    assert response.status_code == 400
    assert "ikke er tilladt" in response.content.decode()
