# The two commands of the README. Both create .venv and install the project on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test browser lint bench clean

$(BIN)/gfx-assets: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/gfx-assets
	$(BIN)/gfx-assets dev

# Library and Dagster tests run on both cores first; then the end-to-end tests (whole `gfx-assets dev`
# processes, outages, the browser test), two at a time: they mostly wait on conditions, and two whole
# devs side by side still leave their waits enough CPU. `--durations` shows where that phase's time goes.
SERIAL_TESTS := gfx_assets_tests/e2e gfx_assets_tests/browser

# The browser test drives Debian's chromium (Playwright with the system browser, no download);
# installed here when missing (CI runs as root).
CHROMIUM ?= /usr/bin/chromium

browser:
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

test: $(BIN)/gfx-assets browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 $(addprefix --ignore=,$(SERIAL_TESTS))
	$(BIN)/pytest -n 2 --dist worksteal --durations=15 $(SERIAL_TESTS)

clean:
	rm -rf $(VENV) .gfx
