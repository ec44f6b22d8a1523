# Testimonia — set-up, run, test, benchmark. Everything the project needs is installed from here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= demo-data

.PHONY: run test bench venv system-deps browser lock clean-demo

# Debian packages that Python dependencies build against (PyICU needs libicu-dev and a C++ compiler;
# the names kernel, Cython, a C compiler), and the Java that linking's Spark backend runs on (pyspark 4
# needs Java 17 or newer).
system-deps:
	@command -v gcc >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || { \
	  echo "installing build-essential"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential; }
	@dpkg -s libicu-dev pkg-config >/dev/null 2>&1 || { \
	  echo "installing libicu-dev pkg-config"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing openjdk-17-jre-headless"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; }

$(BIN)/testimonia: pyproject.toml requirements.lock requirements-build.lock | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --require-hashes -r requirements-build.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@touch $@

# The compiled part of the names capability, built again whenever its source changes.
# Built aside and moved into place (a new file, not the old one rewritten): a running process keeps
# the module it loaded.
$(VENV)/.kernel: src/testimonia/names/_kernel.pyx setup.py | $(BIN)/testimonia
	$(BIN)/python setup.py -q build_ext --build-lib build/kernel
	cp --remove-destination build/kernel/testimonia/names/_kernel.*.so src/testimonia/names/
	@touch $@

venv: $(BIN)/testimonia $(VENV)/.kernel

# Main job: a demo registry of the embassy press release, served on 127.0.0.1:8000.
run: venv
	@test -f $(DATA)/config.json || $(BIN)/testimonia demo $(DATA)
	$(BIN)/testimonia --data $(DATA) serve --host 127.0.0.1 --port 8000

# Debian's chromium, which the browser tests drive with Playwright (a browser download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The whole test suite, on SQLite and (with TESTIMONIA_TEST_PG_URL, required under CI) on PostgreSQL.
test: venv browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing wrk"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/pip install -q --require-hashes -r requirements-bench.lock
	$(BIN)/python -m bench.names_bench
	$(BIN)/python -m bench.linking_bench
	$(BIN)/python -m bench.intake_bench
	$(BIN)/python -m bench.web_load
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Regenerate the hash-pinned lock from pyproject.toml (needs network to PyPI).
lock:
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile -q --generate-hashes --extra test --allow-unsafe -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --extra test --extra bench --allow-unsafe -o requirements-bench.lock pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --only-build-deps --build-deps-for wheel --allow-unsafe -o requirements-build.lock pyproject.toml

clean-demo:
	rm -rf $(DATA)
