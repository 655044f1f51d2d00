# dangjian — two commands on a fresh machine: `make demo` and `make test` (README).
SHELL := /bin/bash
PORT ?= 8000
export UV_PYTHON_DOWNLOADS ?= never
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
DJ := .venv/bin/dangjian

.PHONY: setup demo test lint e2e bench clean

setup: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || test -x $(UV) || python3 -m pip install -q --user "uv==0.13.9" \
		|| python3 -m pip install -q "uv==0.13.9"
	@$(shell command -v uv 2>/dev/null || echo $(UV)) sync --locked --quiet
	@touch $@

demo: setup
	@DEBUG=0 $(DJ) migrate --noinput -v0
	@DEBUG=0 $(DJ) seed_demo
	@echo "党建工作平台 (dangjian) → http://127.0.0.1:$(PORT)/"
	@DEBUG=0 $(DJ) runserver --insecure 127.0.0.1:$(PORT)

lint: setup
	.venv/bin/ruff check .

test: setup
	.venv/bin/ruff check .
	$(DJ) check --fail-level WARNING
	$(DJ) makemigrations --check --dry-run -v0
	.venv/bin/pytest -q -p no:locust $(PYTEST_ARGS)

e2e: setup
	.venv/bin/pytest -q -m e2e $(PYTEST_ARGS)

bench: setup
	$(PY) scripts/bench_import.py
	$(PY) scripts/bench_recruitment_audit.py

clean:
	rm -rf .venv db.sqlite3 staticfiles
