# Bearing: `make run` starts the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test lint format deps clean bench

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --once
	@echo ""
	@echo "  Bearing is starting at http://$(HOST):$(PORT)/"
	@echo "  Sign in as ceo, admin, head.sales, analyst or viewer, password: demo"
	@echo "  Ctrl-C stops the web server and the background worker."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A scorecard worker --beat --loglevel=INFO --pool=solo \
		--schedule=var/celerybeat-schedule & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: deps
	$(BIN)/pytest --create-db -n auto --dist loadfile $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Figures at scale against a scratch PostgreSQL database (benchmarks/README.md);
# BENCH_ARGS=--quick for a smoke test at tiny sizes.
bench: deps
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var
