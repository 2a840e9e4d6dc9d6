# kernelkit developer entry points. Needs only python3 (>= 3.10, with venv) and access to PyPI.
#
#   make test    install the dev extras into .venv (and chromium: scripts/install_browser.sh), run tests/ then the notebooks
#   make lab     install the lab extras too, then start JupyterLab on 127.0.0.1 in notebooks/
#   make bench   kernelkit beside tf_keras on the benchmark models (not part of the tests)
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

.PHONY: test lab bench venv browser clean help

help:
	@sed -n '1,5p' Makefile | sed 's/^# \{0,1\}//'

$(PY):
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

venv: $(PY)

# Chromium for tests/test_browser_jupyterlab.py: apt-get installs it when missing (quick when present).
# It never fails the build; without a browser that test skips and says why.
browser:
	@sh scripts/install_browser.sh

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[dev]'
	@touch $@

$(LAB_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[dev,lab]'
	@touch $@ $(DEV_STAMP)

test: export TF_CPP_MIN_LOG_LEVEL = 2
# Both stages always run; the target fails if either failed.
test: $(DEV_STAMP) browser
	@status=0; \
	echo '$(PY) -m pytest $(XDIST) $(PYTEST_ARGS) tests'; \
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS) tests || status=1; \
	echo '$(PY) -m pytest --nbval-lax --nbval-current-env notebooks/'; \
	$(PY) -m pytest --nbval-lax --nbval-current-env notebooks/ || status=1; \
	exit $$status

lab: $(LAB_STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(LAB_ROOT_FLAG) $(LAB_ARGS) notebooks/

bench: export TF_CPP_MIN_LOG_LEVEL = 2
bench: $(DEV_STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf .pytest_cache build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
