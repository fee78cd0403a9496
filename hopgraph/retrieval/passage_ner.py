"""spaCy's named entities of every passage, computed once and kept beside the graph index.

The extractive answerer types its candidates by the NER labels of the top passages and proposes
their names, dates and numbers as answers. Parsing those passages per question cost most of an
offline ``ask`` (about 140 ms of 220 on MuSiQue-100), and a fresh question meets mostly new
passages. So every chunk is parsed once, batched with ``nlp.pipe`` (recogniser only, its first
:data:`NER_CHARS` characters), and the result is written to
``cache_dir/passage-ner-<key>.npz`` atomically; the key hashes the graph index's fingerprint,
the spaCy model's name and version and :data:`FORMAT`, so a changed graph or another model is
parsed again. A rebuild after a change reuses the entities of every chunk of the newest older
file made by the same model whose text (the part read) is unchanged: a small ingest parses only
its new chunks.

:class:`NameLabels` does the same for every entity name parsed alone (the label the answerer
gives a path end no passage labels), in ``cache_dir/name-ner-<key>.npz``; a rebuild reuses the
labels of names it already had.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.kg.base import GraphStore
from hopgraph.kg.content_cache import load_arrays, newest_arrays, save_arrays
from hopgraph.retrieval.graph_index import read_pages
from hopgraph.util.progress import progress

FORMAT = "passage-ner-1"
"""Version of the cached arrays."""
NER_CHARS = 5000
"""Of a passage, the first this many characters are read for entity labels."""
FAMILY = "passage-ner-"
BATCH = 64
PROGRESS_S = 10.0
"""Seconds between progress lines while passages are parsed."""

Entities = list[tuple[str, str, str]]
_ARRAYS = ("chunk_ids", "text_hashes", "entities")


def entities_of_doc(doc: Any, text: str) -> Entities:
    """(text, NER label, its sentence) of the entities of ``doc``, a parse of ``text`` (sentences
    cut at . ! ? and new lines)."""
    out = []
    for e in doc.ents:
        begin = e.start_char + e.text.rfind("\n") + 1  # "Anselm Brandt\n\nAnselm Brandt": the second
        start = max(text.rfind(end, 0, begin) for end in (". ", "! ", "? ", "\n")) + 1
        stops = [i for i in (text.find(end, e.end_char) for end in (". ", "! ", "? ", "\n")) if i >= 0]
        sentence = text[start : min(stops) if stops else len(text)].strip()
        out.append((text[begin : e.end_char], e.label_, sentence))
    return out


def last_line(entities: Entities) -> Entities:
    """``entities`` with each name spread over lines cut to its last line (the small model tags a
    title and the name that starts the next line as one entity; caches written before
    :func:`entities_of_doc` cut them hold such names)."""
    if not any("\n" in name for name, _, _ in entities):
        return entities
    return [(name[name.rfind("\n") + 1 :], label, sentence) for name, label, sentence in entities]


def _ner_pipes(nlp: Any) -> list[str]:
    return [name for name in ("tok2vec", "ner") if name in nlp.pipe_names]


def text_entities(nlp: Any, text: str) -> Entities:
    """The entities spaCy's recogniser alone finds in ``text`` (tagger and parser off: about a
    third of the time), see :func:`entities_of_doc`."""
    with nlp.select_pipes(enable=_ner_pipes(nlp)):
        doc = nlp(text)
    return entities_of_doc(doc, text)


def batch_entities(nlp: Any, texts: Sequence[str], batch_size: int = BATCH) -> list[Entities]:
    """:func:`text_entities` of each text, parsed in batches with ``nlp.pipe``. A batch spaCy
    fails on is parsed text by text; a text it fails on alone gets no entities."""
    out: list[Entities] = []
    for start in range(0, len(texts), batch_size):
        part = list(texts[start : start + batch_size])
        try:
            with nlp.select_pipes(enable=_ner_pipes(nlp)):
                docs = list(nlp.pipe(part, batch_size=batch_size))
            out.extend(entities_of_doc(doc, text) for doc, text in zip(docs, part, strict=True))
        except Exception:  # noqa: BLE001 - one bad passage must not cost the others their labels
            for text in part:
                try:
                    out.append(text_entities(nlp, text))
                except Exception:  # noqa: BLE001 - a passage spaCy fails on only loses its labels
                    out.append([])
    return out


def model_name(nlp: Any) -> str:
    """``en_core_web_sm-3.8.0``: the pipeline's language, name and version (part of the key)."""
    meta = getattr(nlp, "meta", None) or {}
    return f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"


def text_hash(text: str) -> str:
    """A short hash of the part of a passage that is parsed (whether an old parse still holds)."""
    return hashlib.blake2b(text[:NER_CHARS].encode(), digest_size=8).hexdigest()


class PassageEntities:
    """Chunk id -> its entities (:func:`text_entities` of its first :data:`NER_CHARS` characters)."""

    def __init__(self, entities: dict[str, Entities]) -> None:
        self.entities = entities

    def get(self, chunk_id: str) -> Entities | None:
        entities = self.entities.get(chunk_id)
        return last_line(entities) if entities is not None else None

    def __len__(self) -> int:
        return len(self.entities)

    @classmethod
    def load(cls, store: GraphStore, nlp: Any, cache_dir: Path, index_fingerprint: str) -> PassageEntities:
        """The entities of every chunk of ``store``: from ``cache_dir`` when a file of the same key
        is there, else parsed (reusing an older file's parses of unchanged chunks) and written."""
        model = model_name(nlp)
        key = hashlib.sha256(repr((FORMAT, index_fingerprint, model, NER_CHARS)).encode()).hexdigest()[:16]
        path = Path(cache_dir) / f"{FAMILY}{key}.npz"
        cached = load_arrays(path, "passage NER", lambda data: cls(_unpack({n: data[n] for n in _ARRAYS})[0]))
        if cached is not None:
            return cached
        old = _reusable(Path(cache_dir), model)
        ids, texts = _chunk_texts(store)
        hashes = [text_hash(t) for t in texts]
        entities: dict[str, Entities] = {}
        todo: list[int] = []
        for i, (chunk, digest) in enumerate(zip(ids, hashes, strict=True)):
            known = old.get((chunk, digest))
            if known is None:
                todo.append(i)
            else:
                entities[chunk] = known
        if todo:
            started = last = time.perf_counter()
            progress.info("parsing %d passages for their names (%d reused) ...", len(todo), len(entities))
            for start in range(0, len(todo), BATCH):
                rows = todo[start : start + BATCH]
                parsed = batch_entities(nlp, [texts[i][:NER_CHARS] for i in rows])
                for i, found in zip(rows, parsed, strict=True):
                    entities[ids[i]] = found
                now = time.perf_counter()
                if now - last >= PROGRESS_S:
                    progress.info("passage NER: %d/%d parsed", min(start + BATCH, len(todo)), len(todo))
                    last = now
            progress.info("passage NER: %d parsed in %.1f s", len(todo), time.perf_counter() - started)
        arrays = _pack(ids, hashes, entities)
        save_arrays(path, {**arrays, "model": np.array(model), "format": np.array(FORMAT)}, family=FAMILY)
        return cls(entities)


def _chunk_texts(store: GraphStore) -> tuple[list[str], list[str]]:
    rows = read_pages(
        store, "MATCH (c:Chunk) WHERE c.id > $after RETURN c.id AS id, c.text AS text ORDER BY id LIMIT $n"
    )
    return [r["id"] for r in rows], [r["text"] or "" for r in rows]


def _pack(ids: Sequence[str], hashes: Sequence[str], entities: dict[str, Entities]) -> dict[str, np.ndarray]:
    """Ids and hashes as string arrays; the entities as UTF-8 JSON bytes, a list per chunk (fixed
    width string arrays would pad every sentence to the longest)."""
    payload = json.dumps([entities[chunk] for chunk in ids]).encode()
    return {
        "chunk_ids": np.array(list(ids), dtype=str),
        "text_hashes": np.array(list(hashes), dtype=str),
        "entities": np.frombuffer(payload, dtype=np.uint8),
    }


def _unpack(arrays: dict[str, np.ndarray]) -> tuple[dict[str, Entities], list[str]]:
    ids: list[str] = arrays["chunk_ids"].tolist()
    rows = json.loads(arrays["entities"].tobytes().decode())
    if len(rows) != len(ids):
        raise ValueError(f"{len(rows)} entity lists for {len(ids)} chunks")
    out = {chunk: [(e[0], e[1], e[2]) for e in found] for chunk, found in zip(ids, rows, strict=True)}
    return out, arrays["text_hashes"].tolist()


def _reusable(cache_dir: Path, model: str) -> dict[tuple[str, str], Entities]:
    """(chunk id, text hash) -> entities of the newest older cache file made by the same model."""
    old = newest_arrays(cache_dir, FAMILY, model=model, formats=(FORMAT,), names=_ARRAYS)
    if not old:
        return {}
    try:
        entities, hashes = _unpack(old)
    except ValueError:
        return {}
    return {(chunk, digest): entities[chunk] for chunk, digest in zip(entities, hashes, strict=True)}


NAME_FORMAT = "name-ner-1"
"""Version of the cached name labels."""
NAME_FAMILY = "name-ner-"
NAME_BATCH = 256
_NAME_ARRAYS = ("names", "labels")


PROPER_LABELS = frozenset(
    ["PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"]
)
"""spaCy's labels of proper names (not dates, numbers or quantities)."""


def name_label(doc: Any) -> str:
    """The NER label of a parse of a name alone when its one entity is the whole name, else ""
    (see :func:`proper_label`)."""
    whole = len(doc.ents) == 1 and doc.ents[0].text == doc.text.strip()
    return proper_label(doc.text, str(doc.ents[0].label_)) if whole else ""


def proper_label(name: str, label: str) -> str:
    """``label``, unless it names a proper noun (:data:`PROPER_LABELS`) and ``name`` is written
    in lower case: alone, without a sentence around it, the small English model takes common
    nouns for names ("atomic nucleus" a PERSON), which made a lower-case path end a person."""
    lower_case = any(c.islower() for c in name) and not any(c.isupper() for c in name)
    return "" if lower_case and label in PROPER_LABELS else label


def name_labels(nlp: Any, names: Sequence[str]) -> list[str]:
    """:func:`name_label` of each name, parsed by the whole pipeline with ``nlp.pipe`` (the
    parser's sentence bounds decide some entities: the recogniser alone labels 2 in 6,000
    MuSiQue-100 entity names otherwise)."""
    return [name_label(doc) for doc in nlp.pipe(list(names), batch_size=NAME_BATCH)]


class NameLabels:
    """Entity name -> :func:`name_label` of the name alone, for every entity name of a graph: what
    the extractive answerer asks spaCy about the path ends no passage labels (up to 10 names per
    question, 10-15 ms), read from a cache file instead."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def get(self, name: str) -> str | None:
        label = self.labels.get(name)
        return label if label is None else proper_label(name, label)  # (files written before it)

    def __len__(self) -> int:
        return len(self.labels)

    @classmethod
    def load(cls, names: Sequence[str], nlp: Any, cache_dir: Path, index_fingerprint: str) -> NameLabels:
        """The labels of ``names`` (a graph index's entity names): from ``cache_dir`` when a file of
        the same key is there, else parsed (reusing an older file's labels of the same names) and
        written as ``name-ner-<key>.npz``."""
        model = model_name(nlp)
        key = hashlib.sha256(repr((NAME_FORMAT, index_fingerprint, model)).encode()).hexdigest()[:16]
        path = Path(cache_dir) / f"{NAME_FAMILY}{key}.npz"
        cached = load_arrays(
            path, "name NER", lambda data: cls(_unpack_labels({n: data[n] for n in _NAME_ARRAYS}))
        )
        if cached is not None:
            return cached
        old = newest_arrays(
            Path(cache_dir), NAME_FAMILY, model=model, formats=(NAME_FORMAT,), names=_NAME_ARRAYS
        )
        try:
            labels = _unpack_labels(old) if old else {}
        except ValueError:  # a damaged file: as if there were none
            labels = {}
        unique = list(dict.fromkeys(n for n in names if n.strip()))
        labels = {n: labels[n] for n in unique if n in labels}
        todo = [n for n in unique if n not in labels]
        if todo:
            started = time.perf_counter()
            progress.info("labelling %d entity names (%d reused) ...", len(todo), len(labels))
            for start in range(0, len(todo), NAME_BATCH * 4):
                part = todo[start : start + NAME_BATCH * 4]
                labels.update(zip(part, name_labels(nlp, part), strict=True))
            progress.info("entity names labelled in %.1f s", time.perf_counter() - started)
        arrays = {
            # UTF-8 JSON: a fixed-width string array pads every name to the longest (23 MB, not 0.5)
            "names": np.frombuffer(json.dumps(list(labels)).encode(), dtype=np.uint8),
            "labels": np.frombuffer(json.dumps(list(labels.values())).encode(), dtype=np.uint8),
            "model": np.array(model),
            "format": np.array(NAME_FORMAT),
        }
        save_arrays(path, arrays, family=NAME_FAMILY)
        return cls(labels)


def _unpack_labels(arrays: dict[str, np.ndarray]) -> dict[str, str]:
    names = json.loads(arrays["names"].tobytes().decode())
    labels = json.loads(arrays["labels"].tobytes().decode())
    if not isinstance(names, list) or not isinstance(labels, list) or len(names) != len(labels):
        raise ValueError("name and label lists differ")
    return {str(n): str(label) for n, label in zip(names, labels, strict=True)}
