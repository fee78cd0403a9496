"""Triple importers (TSV, RDF) and the import driver, against a recording fake store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from hopgraph.errors import ImportFormatError
from hopgraph.extract.importers.triples import (
    ImportReport,
    import_triples,
    read_rdf,
    read_tsv,
    validate_tsv,
)
from hopgraph.kg.base import WriteCounts
from hopgraph.kg.io.rdf import local_name
from hopgraph.types import Document, Entity, Triple


class RecordingStore:
    """Just the writes the importer uses, recorded in call order."""

    def __init__(self) -> None:
        self.documents: list[Document] = []
        self.batches: list[list[Triple]] = []
        self.entities: list[tuple[Entity, str]] = []

    def upsert_documents(self, documents: Iterable[Document]) -> WriteCounts:
        docs = list(documents)
        self.documents.extend(docs)
        return WriteCounts(documents=len(docs))

    def upsert_triples(self, triples: Iterable[Triple]) -> WriteCounts:
        self.batches.append(list(triples))
        return WriteCounts(relations=len(self.batches[-1]))

    def upsert_entities(self, entities: Iterable[Entity], *, doc_id: str = "") -> WriteCounts:
        self.entities.extend((e, doc_id) for e in entities)
        return WriteCounts(entities=len(self.entities))

    @property
    def written(self) -> int:
        return len(self.documents) + sum(len(b) for b in self.batches)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _spo(triples: Iterable[Triple]) -> list[tuple[str, str, str]]:
    return [(t.subject, t.predicate, t.object) for t in triples]


# -- TSV ------------------------------------------------------------------------------------------
def test_read_tsv_pipe_delimited_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    kb = _write(
        tmp_path / "kb.txt",
        "# subject|relation|object\n"
        "Something Borrowed|written_by|Emily Giffin\n"
        "\n"
        "   \n"
        "  # an indented comment\n"
        "The Killing Room|directed_by|Jonathan Liebesman\r\n",
    )
    triples = list(read_tsv(kb, doc_id="d1"))
    assert _spo(triples) == [
        ("Something Borrowed", "written_by", "Emily Giffin"),
        ("The Killing Room", "directed_by", "Jonathan Liebesman"),
    ]
    assert {t.doc_id for t in triples} == {"d1"}
    assert {t.chunk_id for t in triples} == {""}


def test_read_tsv_tab_delimited_keeps_pipes_inside_names(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.tsv", "A|B\tlinks to\tC D\nE\tis\tF|G\n")
    assert _spo(read_tsv(kb)) == [("A|B", "links to", "C D"), ("E", "is", "F|G")]


def test_delimiter_is_chosen_from_the_first_data_line(tmp_path: Path) -> None:
    # The comment holds two tabs but is not a data line; the first data line uses "|".
    kb = _write(tmp_path / "kb.txt", "#\ta\tb\nX|r|Y\n")
    assert _spo(read_tsv(kb)) == [("X", "r", "Y")]


def test_read_tsv_strips_whitespace_and_utf8_bom(tmp_path: Path) -> None:
    kb = tmp_path / "kb.txt"
    kb.write_bytes("\ufeffNiels Bohr | born_in | København \n".encode())
    assert _spo(read_tsv(kb)) == [("Niels Bohr", "born_in", "København")]


def test_read_tsv_is_lazy_and_names_file_and_line(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "A|r|B\nbroken line\n")
    triples = read_tsv(kb)
    assert _spo([next(triples)]) == [("A", "r", "B")]
    with pytest.raises(ImportFormatError, match=r"kb\.txt:2: expected 3 non-empty parts"):
        next(triples)


def test_validate_tsv_reports_every_bad_line_with_numbers(tmp_path: Path) -> None:
    kb = _write(
        tmp_path / "kb.txt",
        "A|r|B\n"  # 1 ok
        "A|r\n"  # 2 too few
        "# comment\n"  # 3 skipped
        "A|r|B|C\n"  # 4 too many
        "A||B\n"  # 5 empty predicate
        "C|r|D\n",  # 6 ok
    )
    with pytest.raises(ImportFormatError) as info:
        validate_tsv(kb)
    message = str(info.value)
    assert str(kb) in message
    assert "3 malformed line(s)" in message
    assert "line 2:" in message and "line 4:" in message and "line 5:" in message
    assert "line 1:" not in message and "line 3:" not in message and "line 6:" not in message


def test_validate_tsv_lists_only_the_first_twenty(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "A|r|B\n" + "bad\n" * 25)
    with pytest.raises(ImportFormatError) as info:
        validate_tsv(kb)
    message = str(info.value)
    assert "25 malformed line(s)" in message
    assert "line 21:" in message and "line 22:" not in message
    assert "... and 5 more" in message


def test_validate_tsv_counts_good_lines_and_flags_bad_encoding(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "A|r|B\n#x\nC|r|D\n")
    assert validate_tsv(kb) == 2
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("A|r|B\nK\xf8benhavn|in|Denmark\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match=r"line 2: not UTF-8"):
        validate_tsv(bad)


def test_import_of_malformed_tsv_writes_nothing(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "A|r|B\n" * 10 + "oops\n" + "C|r|D\n" * 10)
    store = RecordingStore()
    with pytest.raises(ImportFormatError, match="line 11:"):
        import_triples(store, kb, batch_size=2)
    assert store.written == 0


def test_import_tsv_registers_one_document_and_batches(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "".join(f"E{i}|r|E{i + 1}\n" for i in range(7)))
    store = RecordingStore()
    seen: list[int] = []
    report = import_triples(store, kb, batch_size=3, progress=seen.append)
    assert isinstance(report, ImportReport)
    (doc,) = store.documents
    assert doc.source == str(kb.resolve()) and doc.title == "kb.txt"
    assert report.doc_id == doc.id and report.path == str(kb.resolve()) and report.format == "tsv"
    assert (report.triples, report.batches) == (7, 3)
    assert report.seconds >= 0
    assert [len(b) for b in store.batches] == [3, 3, 1]
    assert seen == [3, 6, 7]
    assert {t.doc_id for b in store.batches for t in b} == {doc.id}


def test_same_file_gets_same_document_id(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "A|r|B\n")
    first = import_triples(RecordingStore(), kb)
    second = import_triples(RecordingStore(), tmp_path / "." / "kb.txt")
    assert first.doc_id == second.doc_id


def test_unknown_format_lists_the_valid_ones(tmp_path: Path) -> None:
    kb = _write(tmp_path / "kb.txt", "A|r|B\n")
    with pytest.raises(ImportFormatError, match=r"unknown import format 'csv'; valid: tsv, rdf"):
        import_triples(RecordingStore(), kb, format="csv")


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        import_triples(RecordingStore(), missing)
    with pytest.raises(FileNotFoundError, match="not a file"):
        list(read_tsv(tmp_path))


def test_metaqa_sample_parses(tmp_path: Path) -> None:
    kb = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "metaqa" / "kb.txt"
    if not kb.is_file():
        pytest.skip(f"MetaQA KB not present at {kb}")
    first = next(read_tsv(kb))
    assert _spo([first]) == [("Something Borrowed", "written_by", "Emily Giffin")]


# -- RDF ------------------------------------------------------------------------------------------
TURTLE = """\
@prefix ex: <http://example.org/kg/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .

ex:Niels_Bohr a schema:Person ;
    rdfs:label "Niels Bohr"@en, "Niels Bohr (physicist)" ;
    ex:bornIn ex:K%C3%B8benhavn ;
    schema:birthDate "1885-10-07"^^<http://www.w3.org/2001/XMLSchema#date> .
ex:K%C3%B8benhavn a schema:City .
<http://example.org/vocab#studiedUnder> rdfs:label "studied under" .
ex:Niels_Bohr <http://example.org/vocab#studiedUnder> ex:Ernest_Rutherford .
_:b1 ex:knows ex:Niels_Bohr .
"""


def test_read_rdf_turtle_names_types_and_predicates(tmp_path: Path) -> None:
    ttl = _write(tmp_path / "kb.ttl", TURTLE)
    triples = {(t.subject, t.predicate, t.object): t for t in read_rdf(ttl, doc_id="d9")}
    # label without a language tag wins; IRI local names are URL-decoded; literal -> lexical value;
    # a labelled predicate keeps its label; rdfs:label / rdf:type are not relations;
    # the unlabelled blank node is skipped.
    assert set(triples) == {
        ("Niels Bohr (physicist)", "bornIn", "København"),
        ("Niels Bohr (physicist)", "birthDate", "1885-10-07"),
        ("Niels Bohr (physicist)", "studied under", "Ernest_Rutherford"),
    }
    born = triples[("Niels Bohr (physicist)", "bornIn", "København")]
    assert (born.subject_type, born.object_type, born.doc_id) == ("Person", "City", "d9")
    studied = triples[("Niels Bohr (physicist)", "studied under", "Ernest_Rutherford")]
    assert studied.object_type == ""


def test_read_rdf_ntriples_by_suffix_and_explicit_format(tmp_path: Path) -> None:
    nt = (
        '<http://example.org/Alan_Turing> <http://example.org/prop/field> "computer science" .\n'
        "<http://example.org/Alan_Turing> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://example.org/class/Scientist> .\n"
    )
    by_suffix = _write(tmp_path / "kb.nt", nt)
    (triple,) = read_rdf(by_suffix)
    assert (triple.subject, triple.predicate, triple.object) == ("Alan_Turing", "field", "computer science")
    assert triple.subject_type == "Scientist"
    explicit = _write(tmp_path / "kb.data", nt)
    assert _spo(read_rdf(explicit, format="nt")) == [("Alan_Turing", "field", "computer science")]
    with pytest.raises(ImportFormatError, match="cannot tell the RDF format"):
        read_rdf(explicit)


def test_read_rdf_parse_error_names_the_file(tmp_path: Path) -> None:
    bad = _write(tmp_path / "broken.ttl", "@prefix ex: <http://e/> .\nex:a ex:b .\n")
    with pytest.raises(ImportFormatError, match=r"broken\.ttl: not valid turtle"):
        read_rdf(bad)


def test_import_rdf_file(tmp_path: Path) -> None:
    ttl = _write(tmp_path / "kb.ttl", TURTLE)
    store = RecordingStore()
    report = import_triples(store, ttl, format="rdf")
    assert (report.format, report.triples, report.batches) == ("rdf", 3, 1)
    assert {t.doc_id for b in store.batches for t in b} == {report.doc_id}


def test_import_broken_rdf_writes_nothing(tmp_path: Path) -> None:
    bad = _write(tmp_path / "broken.nt", "<http://e/a> <http://e/b> .\n")
    store = RecordingStore()
    with pytest.raises(ImportFormatError, match=r"broken\.nt"):
        import_triples(store, bad, format="rdf")
    assert store.written == 0


@pytest.mark.parametrize(
    ("iri", "name"),
    [
        ("http://example.org/kg/Niels_Bohr", "Niels_Bohr"),
        ("http://example.org/vocab#bornIn", "bornIn"),
        ("http://example.org/kg/Ni%C3%A9ls%20B/", "Niéls B"),
        ("urn:hopgraph:e123", "e123"),
    ],
)
def test_local_name(iri: str, name: str) -> None:
    assert local_name(iri) == name
