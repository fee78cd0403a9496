"""RDF in and out of a graph store: rdflib graphs to hopgraph triples, and the store to RDF.

What RDF keeps (the vocabulary of ``to_rdf`` / ``write_rdf``):

- every entity, with or without relations: one IRI ``<base>entity/<id>`` with its name as
  ``rdfs:label``, its type as ``rdf:type <base>type/<type>`` and each alias as ``skos:altLabel``;
- every relation ``(source, predicate, target)``: one statement whose predicate IRI is
  ``<base>relation/<TYPE>`` (``TYPE`` the relationship type, e.g. ``DIRECTED_BY``) and whose
  ``rdfs:label`` is the original wording. When several wordings share one type ("directed by",
  "Directed_By"), each wording gets its own IRI ``<base>relation/<TYPE>_<hash>``, so they stay apart.

What RDF does not keep: documents, chunks and their text, mentions, provenance (``chunk_ids``,
``doc_ids``), confidence and embeddings. Importing an RDF file makes one document of the file.
To move or back up a whole graph, use ``hopgraph dump`` / ``restore`` (:mod:`hopgraph.kg.io.dump`).

Reading (``triples_from_rdf`` and ``entities_from_rdf``) is the inverse: names come from
``rdfs:label`` where present, else from the IRI's local name, so an exported graph re-imports to
the same entities (name, type, aliases) and the same (name, predicate, name) relations.

This module is the one place that maps RDF terms to names; the file importer in
:mod:`hopgraph.extract.importers.triples` calls :func:`triples_from_rdf` (``kg`` never imports ``extract``).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from hopgraph.errors import ImportFormatError
from hopgraph.kg.base import GraphStore
from hopgraph.types import Entity, Triple

log = logging.getLogger(__name__)

RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nq": "nquads",
    ".trig": "trig",
}
"""File suffix -> rdflib parser/serializer name."""

_FORMAT_ALIASES = {
    "ttl": "turtle",
    "turtle": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "n3": "n3",
    "xml": "xml",
    "rdf/xml": "xml",
    "rdfxml": "xml",
    "pretty-xml": "pretty-xml",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "nquads": "nquads",
    "nq": "nquads",
    "trig": "trig",
}


def rdf_format(path: str | Path, format: str | None = None) -> str:
    """The rdflib format name for ``path``: ``format`` if given (aliases accepted), else by suffix."""
    if format:
        try:
            return _FORMAT_ALIASES[format.lower()]
        except KeyError:
            raise ImportFormatError(
                f"unknown RDF format {format!r}; valid: {', '.join(sorted(set(_FORMAT_ALIASES)))}"
            ) from None
    suffix = Path(path).suffix.lower()
    try:
        return RDF_FORMATS[suffix]
    except KeyError:
        raise ImportFormatError(
            f"{path}: cannot tell the RDF format from the suffix {suffix!r}; give the file one of the "
            f"suffixes {', '.join(sorted(RDF_FORMATS))}"
        ) from None


def parse_rdf(path: str | Path, format: str | None = None) -> Graph:
    """Parse an RDF file into an rdflib Graph; any parse failure is an ImportFormatError naming it."""
    fmt = rdf_format(path, format)
    graph = Graph()
    try:
        graph.parse(str(path), format=fmt)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises many unrelated types on bad input
        raise ImportFormatError(f"{path}: not valid {fmt} RDF: {exc}") from None
    return graph


def local_name(iri: str) -> str:
    """The readable tail of an IRI: after ``#``, else after the last ``/`` (``:`` for URNs), URL-decoded."""
    text = str(iri)
    _, sep, tail = text.rpartition("#")
    if sep and tail:
        return unquote(tail)
    trimmed = text.rstrip("/#")
    if "/" in trimmed:
        tail = trimmed.rsplit("/", 1)[1]
    elif trimmed.lower().startswith("urn:"):
        tail = trimmed.rsplit(":", 1)[1]
    else:
        tail = trimmed
    return unquote(tail) or text


def _label_rank(label: Literal) -> tuple[int, str]:
    lang = (label.language or "").lower()
    rank = 0 if not lang else 1 if lang == "en" or lang.startswith("en-") else 2
    return rank, str(label)


def _best_labels(graph: Graph) -> dict[Node, str]:
    """One label per node: a label with no language tag, else English, else the first in order.
    Labels are kept verbatim (hopgraph's own export writes names exactly)."""
    candidates: dict[Node, list[Literal]] = {}
    for node, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal) and str(label).strip():
            candidates.setdefault(node, []).append(label)
    return {node: str(min(labels, key=_label_rank)) for node, labels in candidates.items()}


def triples_from_rdf(graph: Graph, *, doc_id: str = "") -> Iterator[Triple]:
    """hopgraph triples of an rdflib graph.

    - subject/object: ``rdfs:label`` of an IRI if present, else its local name; a literal's
      lexical value; a blank node's label (unlabelled blank nodes are skipped, since their ids
      are not stable across parses).
    - predicate: the ``rdfs:label`` of the predicate IRI if present (hopgraph's export keeps the
      original wording there), else its local name.
    - ``rdfs:label`` and ``rdf:type`` statements are not relations; ``rdf:type`` gives the
      entity's type (the class IRI's local name; the first in sorted order if several).
    """
    labels = _best_labels(graph)
    types = _types(graph)
    skipped = 0
    for s, p, o in graph:
        if p in NOT_RELATIONS:
            continue
        subject, object_ = _name(s, labels), _name(o, labels)
        predicate = labels.get(p) or local_name(str(p))
        if not subject or not object_ or not predicate.strip():
            skipped += 1
            continue
        yield Triple(
            subject,
            predicate,
            object_,
            doc_id=doc_id,
            subject_type=types.get(s, ""),
            object_type=types.get(o, ""),
        )
    if skipped:
        log.warning("skipped %d RDF statements with an unlabelled blank node or an empty value", skipped)


NOT_RELATIONS = frozenset({RDFS.label, RDF.type, SKOS.altLabel})
"""Predicates that describe a node (its name, type, aliases) rather than relate two."""
_SCHEMA_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(SKOS))


def _types(graph: Graph) -> dict[Node, str]:
    all_types: dict[Node, set[str]] = {}
    for node, cls in graph.subject_objects(RDF.type):
        name = _name(cls, labels={}) if isinstance(cls, URIRef | Literal) else ""
        if name:
            all_types.setdefault(node, set()).add(name)
    return {node: min(names) for node, names in all_types.items()}


def entities_from_rdf(graph: Graph) -> Iterator[Entity]:
    """The entities an RDF graph describes: every labelled node that is neither a predicate nor
    a class (nor typed by the RDF/RDFS/OWL/SKOS vocabularies themselves), with or without
    relations, with its type and its ``skos:altLabel`` aliases (in sorted order)."""
    labels = _best_labels(graph)
    types = _types(graph)
    predicates = set(graph.predicates())
    classes = set(graph.objects(None, RDF.type))
    schema_typed = {
        node
        for node, cls in graph.subject_objects(RDF.type)
        if isinstance(cls, URIRef) and str(cls).startswith(_SCHEMA_NAMESPACES)
    }
    aliases: dict[Node, list[str]] = defaultdict(list)
    for node, alias in graph.subject_objects(SKOS.altLabel):
        if isinstance(alias, Literal) and str(alias).strip():
            aliases[node].append(str(alias))
    for node, name in labels.items():
        if node in predicates or node in classes or node in schema_typed:
            continue
        yield Entity(name, type=types.get(node, ""), aliases=tuple(sorted(set(aliases[node]))))


def _name(term: Node, labels: dict[Node, str]) -> str:
    if isinstance(term, Literal):
        text = str(term)
        return text if text.strip() else ""
    if isinstance(term, BNode):
        return labels.get(term, "")
    label = labels.get(term)
    return label if label else local_name(str(term)).strip()


# -- export ---------------------------------------------------------------------------------------
def to_rdf(store: GraphStore, *, base_iri: str = "urn:hopgraph:") -> Graph:
    """The store's entities and relations as an rdflib Graph (see the module docstring for IRIs)."""
    ent = Namespace(base_iri + "entity/")
    rel = Namespace(base_iri + "relation/")
    cls = Namespace(base_iri + "type/")
    graph = Graph()
    graph.bind("ent", ent)
    graph.bind("rel", rel)
    graph.bind("type", cls)
    graph.bind("skos", SKOS)
    for entity in store.iter_entities():
        node = ent[entity.id]
        graph.add((node, RDFS.label, Literal(entity.name)))
        if entity.type:
            graph.add((node, RDF.type, cls[quote(entity.type, safe="")]))
        for alias in entity.aliases:
            graph.add((node, SKOS.altLabel, Literal(alias)))
    relations = list(store.iter_relations())
    wordings: dict[str, set[str]] = defaultdict(set)
    for relation in relations:
        wordings[relation.type].add(relation.predicate)
    for relation in relations:
        if len(wordings[relation.type]) == 1:
            predicate = rel[relation.type]
        else:  # wordings that share a type stay apart: one IRI each
            digest = hashlib.sha256(relation.predicate.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            predicate = rel[f"{relation.type}_{digest}"]
        graph.add((ent[relation.source], predicate, ent[relation.target]))
        graph.add((predicate, RDFS.label, Literal(relation.predicate)))
    return graph


def write_rdf(
    store: GraphStore,
    path: str | Path,
    format: str = "turtle",
    *,
    base_iri: str = "urn:hopgraph:",
) -> Path:
    """Write the store as RDF (``turtle``, ``nt``, ``xml``, ``json-ld``, ...) to ``path``; returns it."""
    fmt = rdf_format(path, format)
    target = Path(path)
    to_rdf(store, base_iri=base_iri).serialize(destination=str(target), format=fmt, encoding="utf-8")
    return target


__all__ = [
    "RDF_FORMATS",
    "entities_from_rdf",
    "local_name",
    "parse_rdf",
    "rdf_format",
    "to_rdf",
    "triples_from_rdf",
    "write_rdf",
]
