# motcua — two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve run test install install-dev system-deps migrate demo lint test-fast test-sqlite test-postgres clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

system-deps:
	bash scripts/system-deps.sh

install: system-deps $(VENV)/.installed
install-dev: system-deps $(VENV)/.installed-dev

# A secret key for this machine, made once (settings.py reads it when MOTCUA_SECRET_KEY is unset);
# production sets MOTCUA_SECRET_KEY instead (README, "Running in production").
var/secret_key:
	@mkdir -p var
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@echo "motcua: generated a secret key in $@"

migrate: install var/secret_key
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py seed_demo

# The demo (seed_demo), the notification worker in the background (e-mails printed in the terminal)
# and the development server, serving the static files itself (--insecure) since DEBUG is off.
# HOST and PORT also make the printed links and the QR codes' base URL (scripts/run-demo.sh).
run: migrate
	HOST=$(HOST) PORT=$(PORT) bash scripts/run-demo.sh

# The production stack on this machine (README, "Running in production"): PostgreSQL (DATABASE_URL,
# default the database motcua on 127.0.0.1, created when missing), gunicorn, WhiteNoise, the worker.
serve: install var/secret_key
	HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

lint: install-dev
	$(BIN)/ruff check .

# The loop to run often: lint, then the tests not marked slow (long property tests, whole seed
# scenarios, the browser tests) on SQLite, on a test database kept between runs (--reuse-db; each run
# works on a copy of it, see tests/conftest.py). `make test` still runs everything.
test-fast: install-dev
	$(BIN)/ruff check .
	@mkdir -p var
	MOTCUA_TEST_DB_NAME=$(CURDIR)/var/test-fast.db $(BIN)/python -m pytest -q -p no:cacheprovider --reuse-db -m "not slow"

# SQLite in a file (not in memory) so that the concurrency tests run on it too.
test-sqlite: install-dev
	@mkdir -p var
	MOTCUA_TEST_DB_NAME=$(CURDIR)/var/test-sqlite.db $(BIN)/python -m pytest -q -p no:cacheprovider --durations=15

test-postgres: install-dev
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)').close()" 2>/dev/null; then \
		echo "== PostgreSQL answers: running the suite on it"; \
		DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q -p no:cacheprovider --durations=15; \
	else \
		echo "== PostgreSQL does not answer at 127.0.0.1:5432: skipped"; \
	fi

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) db.sqlite3 var
