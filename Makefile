# Two commands set up a fresh Debian machine: `make run` and `make test`.
PY := .venv/bin/python
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/writersroom
# A Redis database of its own, so a running `make run` worker never takes the tests' tasks.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench lint format messages venv

# A venv half made by an earlier failed run (no pip in it) is made again.
.venv/installed: requirements.txt
	test -x .venv/bin/pip || (rm -rf .venv && python3 -m venv .venv)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv: .venv/installed

# System packages first: on a fresh Debian machine they include python3-venv, which the venv needs.
run:
	bash ops/system_packages.sh run
	$(MAKE) venv
	bash ops/services.sh
	bash ops/run.sh

test:
	bash ops/system_packages.sh test
	$(MAKE) venv
	bash ops/services.sh postgres
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DEBUG=1 $(PY) -m pytest -q

bench:
	bash ops/system_packages.sh test
	$(MAKE) venv
	bash ops/services.sh postgres
	DATABASE_URL=$(TEST_DATABASE_URL) DEBUG=1 $(PY) bench/episode_page.py
	$(PY) bench/export.py
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/ai_latency.py --runs 100 --prompts --json
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/collab.py --clients 2 --json
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/collab.py --clients 10 --json
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/collab.py --clients 50 --json
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/collab.py --clients 10 --kill --json
	$(PY) bench/parsers.py --json
	$(PY) bench/diffs.py --json
	DATABASE_URL=$(TEST_DATABASE_URL) DEBUG=1 $(PY) bench/import.py --big --json

lint: venv
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

# Needs gettext (msgfmt); the compiled .mo files are committed so `make run` doesn't.
messages: venv
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-wrap --ignore=.venv --ignore=frontend
	DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv
