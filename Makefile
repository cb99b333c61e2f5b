# The two commands of the README: `make run` and `make test`.
# With DATABASE_URL / REDIS_URL set they use PostgreSQL / Redis; without, SQLite and in-process tasks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_ACCOUNTS ?= 300
DEMO_ORDERS ?= 30000
PORT ?= 8000

.PHONY: run test venv lint format clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo --accounts $(DEMO_ACCOUNTS) --orders $(DEMO_ORDERS) --if-empty
	@echo "Demo logins (demo only): director, manager1, manager2, rep1..rep6 / password demo1234"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	SECRET_KEY=$${SECRET_KEY:-test-only-insecure-key} $(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
