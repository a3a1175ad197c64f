# Breachline: `make run` serves the app with a worker and beat; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Embedded defaults for a developer's machine: DEBUG on, SQLite, Celery on the filesystem broker.
DEV_ENV := DEBUG=1

.PHONY: run test lint integration integration-rabbitmq schemathesis bench bench-pages diagram messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all three)."
	@trap 'kill 0' INT TERM EXIT; \
	  $(DEV_ENV) $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & \
	  $(DEV_ENV) $(BIN)/celery -A config beat --loglevel=INFO & \
	  $(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000 --noreload

# Spread over every core (pytest-xdist); PYTEST_ARGS adds options, e.g. PYTEST_ARGS="-n 0" for one process.
PYTEST_ARGS ?=
test: $(VENV)/.installed
	$(DEV_ENV) $(BIN)/pytest -q -n auto $(PYTEST_ARGS)

# Style (ruff), the architecture's import contracts in pyproject.toml (import-linter) and the types (mypy with
# the Django and REST framework plugins, which read the development settings). mypy's cache is kept per version
# of pyproject.toml: a cache written under other per-module settings can report stale errors.
MYPY_CACHE = .mypy_cache/$(shell sha1sum pyproject.toml | cut -c1-12)
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/mypy --cache-dir $(MYPY_CACHE)

# On PostgreSQL and Redis: the tests that start real Celery workers (tests/integration) and the tests of the code
# whose SQL or behaviour differs from SQLite's: row and advisory locks and skip-locked claims (fan-out, sweep,
# lifecycle), COPY and NUL bytes (import), triggers (audit), tallies, out-of-range values (bad input), the
# readiness probe, the Redis rate limiter, the broker outbox, retention, exports and the cockpit's queries.
# The rest of the suite (texts, pages, rules) runs on SQLite in `make test`. The round mostly waits on its
# workers and the database, so it runs more test processes than there are cores (INTEGRATION_PROCESSES).
INTEGRATION_PROCESSES ?= 4
POSTGRES_TESTS = tests/integration tests/config/test_bad_input.py tests/config/test_health.py \
	tests/incidents/test_audit.py tests/incidents/test_concurrency.py tests/incidents/test_lifecycle.py \
	tests/incidents/test_obligations.py tests/incidents/test_checklist.py tests/incidents/test_api.py \
	tests/cockpit/test_reminders.py tests/cockpit/test_dashboard.py tests/cockpit/test_register.py \
	tests/cockpit/test_calendar.py $(wildcard tests/notifications/test_import*.py) \
	$(wildcard tests/notifications/test_delivery_*.py) tests/notifications/test_fanout.py \
	tests/notifications/test_queue.py tests/notifications/test_send_broker_down.py \
	tests/notifications/test_tallies.py tests/notifications/test_retention.py tests/notifications/test_letters.py \
	tests/notifications/test_personal_page.py tests/notifications/test_crypto.py \
	tests/notifications/test_recipient_api.py tests/notifications/test_recipient_model.py \
	tests/notifications/test_announcement_pages.py tests/notifications/test_webhooks.py
integration: $(VENV)/.installed
	DEBUG=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	  CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} BREACHLINE_INTEGRATION=1 \
	  $(BIN)/pytest -q -n $(INTEGRATION_PROCESSES) $(POSTGRES_TESTS) $(PYTEST_ARGS)

# The integration tests (real Celery workers) again with RabbitMQ as the broker and Redis beside it for the
# rate limits and import progress (REDIS_URL), in a database of their own (RABBITMQ_DATABASE_URL) so that
# this round can run beside `make integration`.
integration-rabbitmq: $(VENV)/.installed
	DEBUG=1 DATABASE_URL=$${RABBITMQ_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rabbitmq} \
	  CELERY_BROKER_URL=$${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672//} \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	  BREACHLINE_INTEGRATION=1 $(BIN)/pytest -q -n auto -m integration $(PYTEST_ARGS)

# Schemathesis against the project's own /api/schema/ as each role, on gunicorn over PostgreSQL, in a
# database of its own (recreated): no 5xx, no answer the schema does not document (tests/schemathesis/run.py).
schemathesis: $(VENV)/.installed
	DATABASE_URL=$${SCHEMATHESIS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/schemathesis} \
	  $(BIN)/python tests/schemathesis/run.py

# Fan-out benchmark on PostgreSQL + Redis with real workers and the local fakes (BENCHMARKS.md).
# BENCH_ARGS passes more options, e.g. BENCH_ARGS=--fanout-seconds=900 for a partial fan-out.
# MIX=cn: the CN-heavy mix (80% mainland China through Tencent Cloud SMS and JPush).
N ?= 100000
MIX ?= global
BENCH_ARGS ?=
bench: $(VENV)/.installed
	$(BIN)/python bench/fanout.py --recipients $(N) --mix $(MIX) --record $(BENCH_ARGS)

# The pages that follow a large send, timed on 1,000,000 people and 3,000,000 deliveries in PostgreSQL
# (BENCHMARKS.md). BENCH_ARGS=--generate (re)creates the data first; PAGES_DB names the database.
PAGES_DB ?= breachline_pages
bench-pages: $(VENV)/.installed
	$(BIN)/python bench/pages.py --database $(PAGES_DB) $(BENCH_ARGS)

diagram: $(VENV)/.installed
	$(DEV_ENV) $(BIN)/python manage.py graph_transitions -o docs/incident-states.png incidents.Incident
	$(DEV_ENV) $(BIN)/python manage.py graph_transitions incidents.Incident > docs/incident-states.dot

# Collect new strings into the Simplified Chinese catalogue, then compile it (tests/config/test_translations.py
# fails while any entry is untranslated or fuzzy).
messages: $(VENV)/.installed
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -l zh_Hans -l de --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
