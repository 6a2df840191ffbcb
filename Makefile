# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
# Test processes (pytest-xdist); each gets its own test database.
TEST_WORKERS ?= 2
PORT ?= 8000

.PHONY: demo test install e2e lint messages screenshots benchmark clean

$(BIN)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/uv sync --frozen --inexact --active --quiet
	touch $@

install: $(BIN)/.installed

# The demo runs one task worker beside the web server; Ctrl-C (or the server stopping) stops both.
demo: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' INT TERM EXIT; \
		DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest -n $(TEST_WORKERS)

# Browser journeys in Debian's Chromium; a failure leaves a screenshot and a trace in artifacts/e2e/.
e2e: install
	$(BIN)/pytest -m e2e

# The README's pictures: docs/dashboard.png, visit-form-phone.png, capacity-board.png, agreement-pdf.png.
screenshots: install
	HF_DOCS_SCREENSHOTS=1 $(BIN)/pytest -m e2e tests/e2e/test_screenshots.py tests/e2e/test_agenda.py tests/e2e/test_lead_desk.py

lint: install
	$(BIN)/ruff check .

# Regenerate the Danish catalogues after changing UI text, then compile them.
messages: install
	for app in citizens interventions agreements invoicing; do \
		(cd $$app && mkdir -p locale && DEBUG=true ../$(BIN)/python ../manage.py makemessages -l da --no-obsolete); done
	DEBUG=true $(BIN)/python manage.py makemessages -l da --no-obsolete --ignore=.venv --ignore=tests \
		--ignore=citizens --ignore=interventions --ignore=agreements --ignore=invoicing --ignore=staticfiles
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 .cpr-dev-keys.json staticfiles
