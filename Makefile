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

# The end-to-end tests (whole `gfx-assets dev` processes, outages, the browser test) run two at a time,
# side by side with the library and Dagster tests (two workers): they mostly wait on conditions (a sensor
# tick, a run, a row), and those waits overlap the library tests' work. Their output, with `--durations`
# showing where their time goes, is printed once both are done; either failing fails `make test`.
E2E_TESTS := gfx_assets_tests/e2e gfx_assets_tests/browser

# The browser test drives Debian's chromium (Playwright with the system browser, no download);
# installed here when missing (CI runs as root).
CHROMIUM ?= /usr/bin/chromium

browser:
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

test: $(BIN)/gfx-assets browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@e2e=$$(mktemp -d); \
	$(BIN)/pytest -n 2 --dist worksteal --durations=15 --basetemp=$$e2e/tmp $(E2E_TESTS) >$$e2e/log 2>&1 & \
	e2e_pid=$$!; \
	$(BIN)/pytest -n 2 $(addprefix --ignore=,$(E2E_TESTS)); library=$$?; \
	wait $$e2e_pid; end_to_end=$$?; \
	echo "=== end-to-end and browser tests (run alongside the ones above) ==="; cat $$e2e/log; \
	rm -rf $$e2e; exit $$(( library || end_to_end ))

clean:
	rm -rf $(VENV) .gfx
