# The two commands a fresh Debian machine needs (as root, or with sudo for apt):
#   make run    set everything up and open OCR Desk on the bundled default models
#   make test   set everything up and run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup models system-deps lint bench bench-pdf package test-packaging screenshots i18n serve loadtest load-batch clean

run: setup models
	$(BIN)/python main.py

test: setup models system-deps
	$(BIN)/python -m pip install -q -r requirements-build.txt
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider --timeout 900

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt requirements-cluster.txt
	bash scripts/system_deps.sh
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

system-deps:
	bash scripts/system_deps.sh

models: setup
	$(BIN)/python -m ocr_app.tooling.provision
	$(BIN)/python main.py provision --pack dewarp

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m ocr_app.tooling.provision --all
	$(BIN)/python -m ocr_app.bench ../shared/eval/sroie-dev ../shared/eval/zh-dev --rounds 2 --interleave $(BENCH_ARGS)

package: setup models
	$(BIN)/python -m pip install -q -r requirements-build.txt
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build build_spec/ocr_desk.spec
	QT_QPA_PLATFORM=offscreen dist/ocr-desk/ocr-desk --self-test --pdf
	$(BIN)/python build_spec/bundle_size.py dist/ocr-desk

test-packaging: setup models
	$(BIN)/python -m pip install -q -r requirements-build.txt
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m packaging tests/test_packaging.py

bench-pdf: setup models
	$(BIN)/python scripts/bench_pdf.py --pages 20

screenshots: setup models
	$(BIN)/python scripts/screenshots.py

i18n: setup
	$(BIN)/python -m ocr_app.gui.i18n_build

serve: setup models
	$(BIN)/python main.py serve

loadtest: setup models
	$(BIN)/python -m ocr_app.bench.api_load

clean:
	rm -rf build dist $(VENV)

load-batch: setup models
	$(BIN)/python scripts/load_batch.py -n 1000
	$(BIN)/python scripts/load_batch.py --gui -n 1000
