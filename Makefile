# Everyday commands. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Development values live here and only here; production reads real environment variables.
DEV_ENV := DEBUG=true \
	SECRET_KEY=dev-only-not-secret \
	FIELD_ENCRYPTION_KEY=$${FIELD_ENCRYPTION_KEY:-ZGV2LW9ubHktZmllbGQta2V5LW5vdC1zZWNyZXQtMDA=} \
	IDENTITY_HASH_KEY=$${IDENTITY_HASH_KEY:-dev-only-identity-hash-key-not-secret-000} \
	DATABASE_URL=$${DEV_DATABASE_URL:-sqlite:///$(CURDIR)/db.sqlite3} \
	ALLOWED_HOSTS=127.0.0.1,localhost \
	CELERY_TASK_ALWAYS_EAGER=true \
	OTP_REQUIRED=false \
	SECURE_SSL_REDIRECT=false \
	SESSION_COOKIE_SECURE=false \
	STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
	EMAIL_URL=consolemail:// \
	CACHE_URL=locmemcache://

# The bench's own database and bench-only secrets: production settings otherwise (bench/__main__.py).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gruppstod_bench
BENCH_ENV := SECRET_KEY=bench-only-not-secret \
	FIELD_ENCRYPTION_KEY=YmVuY2gtb25seS1maWVsZC1rZXktbm90LXNlY3JldCE= \
	IDENTITY_HASH_KEY=bench-only-identity-hash-key-not-secret-0000 \
	DATABASE_URL=$(BENCH_DATABASE_URL) \
	ALLOWED_HOSTS=127.0.0.1,localhost \
	EMAIL_URL=consolemail:// \
	CACHE_URL=locmemcache://

.PHONY: run test test-fast lint fmt install check-system check-browser ci migrate-check messages bench tools

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Gruppstöd behöver Python 3.11 eller senare.")'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV) || { echo "Kunde inte skapa .venv: installera python3-venv (apt-get install python3-venv)."; exit 1; }
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.lock
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

check-system: $(STAMP)
	@$(BIN)/python scripts/check_system.py

# The browser tests' needs too: Playwright's driver starts and launches Chromium, or the apt-get line.
check-browser: $(STAMP)
	@$(BIN)/python scripts/check_system.py --browser

run: install check-system
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo_data
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Two test processes (pytest-xdist), each with its own test database; TEST_WORKERS=0 runs one.
TEST_WORKERS ?= 2

test: install check-browser tools
	$(BIN)/python scripts/run_tests.py -n $(TEST_WORKERS) $(ARGS)

# Everything but the browser tests, on SQLite (in memory, one database per process), in two
# processes (pytest-xdist).
test-fast: install check-system
	DATABASE_URL= $(BIN)/python scripts/run_tests.py -m "not browser" -n $(TEST_WORKERS) $(ARGS)

# The Nu Html Checker for the page crawl (tests/browser/test_crawl.py): vnu-jar from npm, run on
# Debian's Java 17 (apt-get install openjdk-17-jre-headless nodejs npm). Kept in tools/, not in git.
VNU_VERSION := 26.9.27
VNU_JAR := tools/node_modules/vnu-jar/build/dist/vnu.jar

$(VNU_JAR):
	@command -v npm >/dev/null || { echo "npm saknas: installera nodejs och npm (apt-get install nodejs npm)."; exit 1; }
	@command -v java >/dev/null || { echo "Java saknas: installera openjdk-17-jre-headless."; exit 1; }
	mkdir -p tools && npm install --prefix tools --no-save --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)

tools: $(VNU_JAR)

# National-scale data, gunicorn with production settings, wrk on every list and home page; about
# 20 minutes on 2 cores. Prints every target with its figure; results in bench/results/.
bench: install check-system
	$(BENCH_ENV) $(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -c pyproject.toml -r . --severity-level medium -q
	$(DEV_ENV) $(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the English catalogue from the code; fill the new msgstr lines, then `make messages` again.
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=static
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -l en --ignore=.venv
