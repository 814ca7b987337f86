# The two commands of the README: `make demo` and `make test`.
# Variables: VENV (default .venv), CKAN_VERSION (default 2.12.0; 2.11.5 supported).
SHELL := /bin/bash
export VENV ?= $(CURDIR)/.venv
export CKAN_VERSION ?= 2.12.0

.PHONY: demo test test-ckan-core test-2.11 stack-up stack-down stack-status venv lint i18n bench clean

demo:            ## stack + venv + demo site on http://127.0.0.1:5000 (Ctrl-C stops it)
	scripts/demo.sh

test:            ## stack + venv + ruff + mypy + the whole pytest suite, stack down afterwards
	scripts/test.sh

test-ckan-core:  ## stack + venv + CKAN core's member/organization/user/auth tests, alone then with the plugin
	CKAN_CORE=only scripts/test.sh

test-2.11:       ## the same suite against CKAN 2.11.5, in its own venv and stack (Solr needs 2.11's schema)
	$(MAKE) test CKAN_VERSION=2.11.5 VENV=$(CURDIR)/.venv-2.11 STACK_DIR=$(CURDIR)/.stack-2.11 \
		PG_PORT=54349 REDIS_PORT=63819 SOLR_PORT=9004

stack-up:
	scripts/stack.sh up

stack-down:
	scripts/stack.sh down

stack-status:
	scripts/stack.sh status

venv:
	scripts/venv.sh

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

i18n: venv       ## refresh the .pot, merge into the French .po, compile the .mo
	scripts/i18n.sh

clean:           ## stop the stack, delete its data (wherever it lives) and the test artifacts
	scripts/stack.sh clean
	rm -rf test-artifacts
