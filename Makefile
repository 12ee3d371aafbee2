# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint clean

$(BIN)/budget-qa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first: the CPU build cached on our machines; anything else pulls several GB
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/budget-qa

run: install
	$(BIN)/budget-qa serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy index assistant eval app.py cli.py tests

# The browser tests drive Debian's Chromium; the fonts make Chinese legible in their screenshots.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-noto-cjk

test: lint $(CHROMIUM)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) data
