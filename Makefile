# FICTRA node. `make run` starts a 4-validator localnet; `make test` runs the whole suite.
.PHONY: install run test lint clean

VALIDATORS ?= 4
LOCALNET_HOME ?= .localnet

install:
	@bash scripts/install.sh

run: install
	@.venv/bin/fictra localnet up --validators $(VALIDATORS) --home $(LOCALNET_HOME) --fresh

test: install
	@bash scripts/test.sh

lint: install
	@.venv/bin/ruff check .

clean:
	rm -rf .localnet .bench
