# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test test-py312 lint clean

$(BIN)/budget-qa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first (for the [st] extra): the CPU build cached on our machines; anything else pulls several GB
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,st]'
	touch $@

install: $(BIN)/budget-qa

run: install
	$(BIN)/budget-qa serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy index assistant eval app.py cli.py mcp_server.py tests

# The browser tests drive Debian's Chromium; the fonts make Chinese legible in their screenshots.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-noto-cjk

# The PostgreSQL store's tests start a cluster of Debian's package on a temporary directory.
POSTGRES := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/initdb)
$(POSTGRES):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql

test: lint $(CHROMIUM) $(POSTGRES)
	$(BIN)/pytest -q

# The same tests on Python 3.12 with the default (light) install: no [st] extra, so no torch; the
# one test of that backend is deselected by its marker. pyenv's 3.12 when there is one.
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.12)
VENV312 := .venv-3.12

$(VENV312)/bin/budget-qa: pyproject.toml
	$(PYTHON312) -m venv $(VENV312)
	$(VENV312)/bin/pip install --quiet --upgrade pip
	$(VENV312)/bin/pip install --quiet -e '.[dev]'
	touch $@

test-py312: $(VENV312)/bin/budget-qa $(CHROMIUM) $(POSTGRES)
	$(VENV312)/bin/pytest -q -m "not st"

clean:
	rm -rf $(VENV) $(VENV312) data
