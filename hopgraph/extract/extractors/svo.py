"""Rule-based relation patterns over a spaCy dependency parse (the offline extractor's core).

Pure functions from a parsed ``Doc`` to :class:`RawTriple` values; no model loading here.
Patterns, each applied per sentence:

* subject-verb-object: ``nsubj``/``nsubjpass`` + ``dobj`` -> predicate = verb lemma (+ particle);
  passive verbs keep their participle ("directed"), the ``agent`` gives "directed by";
* verb + prepositional object: "born in X" -> "born in", "moved to X" -> "move to";
* copulas: "X is the capital of Y" -> "capital of"; "X is a Y" -> "is a"; "X became Y" -> "become";
* appositives: "Bohr, a Danish physicist, ..." -> (Bohr, "is a", physicist);
* participial / relative clauses: "a film directed by X" -> (film's referent, "directed by", X);
* conjunctions expand subjects, objects and verbs ("A and B directed C" -> two triples);
* possessive subjects: "Its headquarters are in Osaka" -> (the company, "headquarters in", Osaka),
  "Bohr's wife was Margrethe" -> (Bohr, "wife", Margrethe): the possessor is the subject and the
  possessed noun joins the predicate ("its"/"their": the latest named non-person subject before
  it; "his"/"her": the latest person, as for "he"/"she"); a possessor that cannot be resolved
  drops the triple rather than make the common noun a subject;
* "the company" (or firm, band, team, club ...) as a bare subject means the latest named
  organisation-like subject before it, never a place ("The company is headquartered in
  Tallinn"); another bare "the <noun>" the latest named subject described with that noun ("X is
  a 2016 drama film. The film was produced by Y"), and "The head coach is Z" a role of the latest
  named subject (X, "head coach", Z);
* "the state of Saxony", "the island of Crete" (a place noun + "of" + a name) is the name;
* parenthesised life dates after a name: "Teutberga (died 11 November 875)", "X (born 3 May
  1980)", "Y (1685 - 1750)" -> (name, "born on" / "died on", date) with a DATE object; the words
  inside such brackets yield nothing else.

Arguments are expanded to the NER span covering the head token, else to the noun chunk it heads
when that chunk holds a proper noun, else to its compound/flat name tokens. Pronouns are never
arguments (there is no coreference resolution), and a triple needs at least one named argument
(an NER entity or a proper noun), which drops generic "film - is in - marriage" noise. One
heuristic stands in for coreference: a subject "he"/"she" becomes the latest PERSON before it that
was a subject itself (else the latest named subject, since the small model tags some surnames as
places or organisations), else the latest PERSON before it, else the name opening the text
(however it was labelled: "Odile Marchand (born 1941) is a critic. She ..."); a subject "it" the latest named
non-person subject before it, unless its verb governs a clause ("it is said that ...") (both off
with ``resolve_pronouns=False``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
OBJECT_DEPS = frozenset({"dobj"})
NAME_DEPS = frozenset({"compound", "flat", "nmod"})
NOT_ARGUMENT_POS = frozenset({"PRON", "DET", "ADP", "AUX", "CCONJ", "SCONJ", "PART", "PUNCT", "SPACE", "SYM"})
PERSON_PRONOUNS = frozenset({"he", "she"})
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "csubj", "csubjpass", "advcl"})
"""A verb with such a child has a placeholder subject "it" ("it is said that ...")."""
NAME_LABELS = frozenset({"PERSON", "GPE", "ORG", "NORP"})
"""NER labels a mislabelled person's name turns up under."""
RELATIVE_PRONOUNS = frozenset({"which", "who", "whom", "that", "whose"})
NUMERIC_LABELS = frozenset({"CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
POSSESSIVE_PRONOUNS = frozenset({"its", "their", "his", "her"})
REFERRING_NOUNS = frozenset(
    {"company", "firm", "corporation", "organisation", "organization", "band", "group", "team", "club"}
)
"""Subjects "the company", "the band" ... stand for the latest named organisation-like subject."""
NAMED_BY_OF = frozenset(
    {
        "city", "town", "village", "state", "county", "province", "region", "district", "island",
        "country", "kingdom", "republic", "municipality", "borough", "parish", "commune",
    }
)  # fmt: skip
"""Nouns a place's name follows with "of" ("the state of Saxony", "the island of Crete"): the
argument is the name."""
PART_NOUNS = frozenset(
    {"coast", "shore", "bank", "side", "edge", "outskirts", "centre", "center", "mouth", "foot"}
)
"""Nouns of a part of a place ("the south coast of Ireland"): a relation to the part is one to the
place ("part" and "end" left out: "as part of a plan", "at the end of the century")."""
THING_NOUNS = NAMED_BY_OF | REFERRING_NOUNS | frozenset(
    {
        "capital", "river", "lake", "mountain", "bridge", "port", "university", "college", "school",
        "museum", "airport", "church", "building", "film", "album", "novel", "book", "song", "ship",
    }
)  # fmt: skip
"""Nouns that say a described name is a place, an organisation or a work, not a person."""
THING_LABELS = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT"})
ORGANISATION_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART"})
"""Labels the small model gives what "the company" or "the band" mean (not a place, not a
nationality: "the band" after "an American rock band" is not "American")."""
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:(?:c\.|ca\.|circa|about)\s*)?(?:\d{{1,2}}\s+{_MONTH},?\s+\d{{3,4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{3,4}}|"
    rf"{_MONTH},?\s+\d{{3,4}}|\d{{3,4}})(?:\s*(?:AD|BC|BCE|CE))?"
)
LIFE_DATES = re.compile(
    rf"\(\s*(?:(?P<kind>born|b\.|died|d\.)\s+(?:on\s+|in\s+)?(?P<one>{_DATE})"
    rf"|(?P<birth>{_DATE})\s*(?:-|–|—|to)\s*(?P<death>{_DATE}))\s*[,;)]",
    re.IGNORECASE,
)
"""A bracket opening with a life date: "(born 3 May 1980", "(died 875)", "(1685 - 1750)"."""
EDGE_STRIP = " \t\r\n.,;:!?\"'()[]{}«»“”‘’"


@dataclass(frozen=True, slots=True)
class Arg:
    """A grounded argument: its text exactly as it appears in the document, and its NER label."""

    text: str
    label: str
    named: bool


@dataclass(frozen=True, slots=True)
class RawTriple:
    subject: Arg
    predicate: str
    object: Arg


class _Doc:
    """Per-document indexes: which NER span and which noun chunk each token belongs to."""

    def __init__(self, doc: Doc, *, resolve_pronouns: bool = True) -> None:
        self.doc = doc
        self.ent_of: dict[int, Span] = {}
        # "Jaws and Hook" tagged as one span: distrusted, so conjunction expansion splits it
        ents = _repeated_names(list(doc.ents))
        self.ents = [e for e in ents if not any(t.lower_ in ("and", "or") and t.dep_ == "cc" for t in e)]
        for ent in self.ents:
            for i in range(ent.start, ent.end):
                self.ent_of[i] = ent
        self.chunk_of: dict[int, Span] = {}
        self.resolve_pronouns = resolve_pronouns
        self.people = [e for e in ents if e.label_ == "PERSON"]
        self.named_subjects: list[Span] = []
        """Subjects named by proper nouns that the recogniser left untagged ("Acme Robotics is a
        robotics company"): what a later "the company" or "its" may mean as much as a tagged name."""
        self.descriptions: list[tuple[int, str, Token]] = []
        """(position, head noun lemma, named subject) of each "X is a ... <noun>" ("Leipzig is the
        most populous city"): what a later bare "the city" means (:meth:`described_before`)."""
        if doc.has_annotation("DEP"):
            for token in doc:
                if token.dep_ == "attr" and token.pos_ == "NOUN" and token.head.lemma_ == "be":
                    for subject in token.head.children:
                        if subject.dep_ in SUBJECT_DEPS and self.named(subject):
                            for noun in _with_conjuncts(token):  # "the capital and largest city"
                                if noun.pos_ == "NOUN":
                                    self.descriptions.append((noun.i, noun.lemma_.lower(), subject))
            for chunk in doc.noun_chunks:
                if any(t.pos_ == "PROPN" for t in chunk):
                    self.chunk_of[chunk.root.i] = chunk
                    root = chunk.root
                    if root.dep_ in SUBJECT_DEPS and root.pos_ == "PROPN" and root.i not in self.ent_of:
                        self.named_subjects.append(Span(doc, chunk.start, chunk.end, label=""))
        described = [
            (noun, (self.ent_of.get(subject.i) or self.chunk_of[subject.i]).start)
            for _, noun, subject in self.descriptions
            if subject.i in self.ent_of or subject.i in self.chunk_of
        ]
        self.described_things = {start for noun, start in described if noun in THING_NOUNS}
        """Where a name starts that a sentence calls a place, an organisation or a work ("Port Idris
        is the second-largest city", "The Tin Lanterns are a folk-rock band") whether the recogniser
        took it for a person or left it untagged: what a later "its" or "their" may mean."""
        self.described_organisations = {start for noun, start in described if noun in REFERRING_NOUNS}
        """The same for a company, band, group, team ...: what a later "the band" may mean."""

    def named(self, token: Token) -> bool:
        """Whether ``token`` is part of a name: a proper noun or inside an entity span."""
        return token.pos_ == "PROPN" or token.i in self.ent_of

    def described_before(self, noun: Token) -> Arg | None:
        """The named subject that a sentence before ``noun`` described with the same head noun
        ("The Silent Orchard is a 2016 drama film. The film was produced by ..."), or None: what
        a bare "the film", "the city", "the album" most likely means."""
        lemma = noun.lemma_.lower()
        for at, described, subject in reversed(self.descriptions):
            if at < noun.i and described == lemma:
                return self.arg(subject)
        return None

    def antecedent(self, pronoun: Token, *, any_dep: bool = False) -> Arg | None:
        """The person a subject "he"/"she" most likely means: the latest PERSON before it that
        was itself a subject ("Otto Hahn was a chemist ... he studied"), else the latest PERSON
        before it, else the name that opens the text, else none. A heuristic standing in for
        coreference."""
        if not self.resolve_pronouns and not any_dep:
            return None
        before = [e for e in self.people if e.end <= pronoun.i]
        subjects = [e for e in before if e.root.dep_ in SUBJECT_DEPS]
        if not subjects:  # the small model often tags a bare surname as GPE/ORG ("Bohr went ...")
            subjects = [
                e
                for e in self.ents
                if e.end <= pronoun.i and e.label_ in NAME_LABELS and e.root.dep_ in SUBJECT_DEPS
            ]
        if not subjects and not before:  # "Odile Marchand (born 1941) is a critic. She ...":
            # the name opening the text, however the small model labelled and attached it
            subjects = [
                e for e in self.ents[:1] if e.start == 0 and e.label_ in NAME_LABELS and e.end <= pronoun.i
            ]
        candidates = subjects or before
        return _make_arg(candidates[-1], "PERSON", named=True) if candidates else None

    def possessor(self, noun: Token) -> Arg | None:
        """Who owns a possessed subject noun ("Its headquarters", "Bohr's wife"), or None."""
        for child in noun.children:
            if child.dep_ != "poss":
                continue
            if child.lower_ in ("his", "her"):
                return self.antecedent(child, any_dep=True)
            if child.lower_ in ("its", "their"):
                return self.latest_thing(child.i)
            if self.named(child):
                return self.arg(child)
            if child.pos_ == "NOUN" and [c.lower_ for c in child.children if c.dep_ == "det"] == ["the"]:
                # "The city's main airport": what a bare "the city" means
                if child.lemma_.lower() in REFERRING_NOUNS:
                    return self.latest_thing(child.i, organisation=True)
                return self.described_before(child)
        return None

    def named_appositive(self, noun: Token) -> Token | None:
        """The name set beside a common noun ("Her novel, *The Salt Ferry*, ..."), or None."""
        return next((c for c in noun.rights if c.dep_ == "appos" and self.named(c)), None)

    def referent_of_it(self, pronoun: Token) -> Arg | None:
        """What a subject "it" means ("Orbital Ink is a printer. It was founded by Mei Tanaka"):
        the latest named non-person subject before it (:meth:`latest_thing`, subjects only); None
        for the placeholder "it" of "it is said that ...", "it was decided to ..." (its verb governs
        a clause) and when nothing before it was such a subject."""
        if any(c.dep_ in CLAUSE_DEPS for c in pronoun.head.children):
            return None
        return self.latest_thing(pronoun.i, subjects_only=True)

    def latest_thing(
        self, before: int, *, subjects_only: bool = False, organisation: bool = False
    ) -> Arg | None:
        """What "its", "their", a subject "it" or "the company" most likely mean: the latest
        named non-person entity before token ``before`` that was a subject (else, unless
        ``subjects_only``, the latest such entity); with none, the latest subject named by proper
        nouns the recogniser left untagged (:attr:`named_subjects`: "Acme Robotics is a robotics
        company. Its headquarters are in Gothenburg"). ``organisation`` (what "the company", "the
        band" ... mean) first looks among organisation-like names and untagged subjects, and only
        then at places: "Its headquarters are in Gothenburg. The company makes robots" is about
        no city. Untagged subjects never outrank a tagged name otherwise: on Re-DocRED that cost
        precision."""
        tagged = [
            e
            for e in [*self.ents, *self.named_subjects]
            if e.end <= before and (e.label_ in THING_LABELS or e.start in self.described_things)
        ]
        tagged.sort(key=lambda e: e.start)
        untagged = [c for c in self.named_subjects if c.end <= before]
        if organisation:
            named = [
                e
                for e in tagged
                if e.label_ in ORGANISATION_LABELS or e.start in self.described_organisations
            ]
            tiers = [named, untagged, tagged]
        else:
            tiers = [tagged, untagged]
        for found in tiers:
            subjects = [e for e in found if e.root.dep_ in SUBJECT_DEPS]
            found = subjects if subjects or subjects_only else found
            if found:
                return _make_arg(found[-1], found[-1].label_, named=True)
        return None

    def arg(self, token: Token) -> Arg | None:
        """The argument headed by ``token``, or None for pronouns, punctuation and the like."""
        ent = self.ent_of.get(token.i)
        if ent is not None:
            return _make_arg(ent, ent.label_, named=True)
        if token.lower_ in PERSON_PRONOUNS and token.dep_ in SUBJECT_DEPS:
            return self.antecedent(token)
        if token.lower_ == "it" and token.dep_ in SUBJECT_DEPS and self.resolve_pronouns:
            return self.referent_of_it(token)
        if token.pos_ in NOT_ARGUMENT_POS or token.pos_ == "VERB" or token.lower_ in RELATIVE_PRONOUNS:
            return None
        if token.pos_ == "NOUN":  # "his wife, Margrethe Nørlund, ..." -> the named appositive
            for child in token.rights:
                if child.dep_ == "appos" and self.named(child):
                    return self.arg(child)
                if token.lemma_.lower() in NAMED_BY_OF:  # "the German state of Saxony" -> Saxony
                    for named in _of_objects(child):
                        if self.named(named):
                            return self.arg(named)
        chunk = self.chunk_of.get(token.i)
        left, right = token.i, token.i
        if chunk is not None:
            left = chunk.start
            for t in chunk:  # drop "his"/"Bohr 's" possessors: the argument is the possessed thing
                if t.dep_ in ("poss", "case") and t.i < token.i:
                    left = t.i + 1
            right = chunk.end - 1
        else:
            for child in token.lefts:  # "420 people": a count stays with what it counts
                if child.dep_ in NAME_DEPS or (
                    child.dep_ == "nummod" and child.like_num and child.ent_type_ != "DATE"
                ):
                    left = min(left, child.left_edge.i)
        if token.pos_ == "PROPN":
            for child in token.rights:  # "University of Copenhagen", "Raiders of the Lost Ark"
                if child.dep_ == "flat" or (
                    child.dep_ == "prep"
                    and child.lower_ == "of"
                    and any(g.pos_ == "PROPN" and g.dep_ == "pobj" for g in child.children)
                ):
                    right = max(right, child.right_edge.i)
        span = self.doc[left : right + 1]
        return _make_arg(span, "", named=any(t.pos_ == "PROPN" for t in span))


def _repeated_names(ents: list[Span]) -> list[Span]:
    """``ents`` plus every other place the text spells one of its names of two or more words, where
    the model found no entity ("Orbital Ink" tagged in the title but not in the next line's
    "Orbital Ink is a printing company"), in document order."""
    if not ents:
        return ents
    doc = ents[0].doc
    names: dict[tuple[str, ...], str] = {}
    for e in ents:
        words = tuple(t.text for t in e)
        if len(words) >= 2 and e.label_ in THING_LABELS | {"PERSON"}:
            names.setdefault(words, e.label_)
    taken = {i for e in ents for i in range(e.start, e.end)}
    added: list[Span] = []
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for words in names:
        by_first.setdefault(words[0], []).append(words)
    for token in doc:
        for words in by_first.get(token.text, ()):
            end = token.i + len(words)
            if end > len(doc) or any(i in taken for i in range(token.i, end)):
                continue
            if tuple(t.text for t in doc[token.i : end]) == words:
                added.append(Span(doc, token.i, end, label=names[words]))
                taken.update(range(token.i, end))
    return sorted([*ents, *added], key=lambda e: e.start) if added else ents


def _make_arg(span: Span, label: str, *, named: bool) -> Arg | None:
    tokens = list(span)
    while tokens and (tokens[0].pos_ in ("DET", "PUNCT") or tokens[0].dep_ in ("case", "poss")):
        tokens.pop(0)
    while tokens and tokens[-1].pos_ in ("PUNCT", "PART") and tokens[-1].dep_ != "flat":
        tokens.pop()
    if not tokens:
        return None
    text = span.doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)].strip(EDGE_STRIP)
    if not text or not any(ch.isalnum() for ch in text):
        return None
    return Arg(text, label, named)


def _role_noun(noun: Token) -> bool:
    """A bare definite common noun, perhaps with an adjective and compounds ("the current head
    coach"): in "The head coach is X" a role of what the text is about, named by no owner."""
    if noun.pos_ != "NOUN" or noun.dep_ not in SUBJECT_DEPS:
        return False
    children = [c for c in noun.children if c.dep_ != "punct"]
    return any(c.dep_ == "det" and c.lower_ == "the" for c in children) and all(
        c.dep_ in ("det", "amod") or (c.dep_ == "compound" and c.pos_ == "NOUN") for c in children
    )


def _with_conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts]


def _is_passive(verb: Token) -> bool:
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True
    return verb.dep_ in ("acl", "advcl") and verb.tag_ == "VBN"  # "a film directed by", "Born in X, she"


def _verb_base(verb: Token) -> str:
    """Predicate stem: participle for passives ("directed"), lemma otherwise, plus particles."""
    if verb.lemma_ == "be":
        base = "is"
    elif _is_passive(verb):
        base = verb.lower_
    else:
        base = verb.lemma_.lower()
    particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
    return " ".join([base, *particles])


def _referent(noun: Token) -> list[Token]:
    """What a noun stands for: "X is a film [directed ...]" -> X; "Bohr, a physicist [who ...]" -> Bohr."""
    if noun.dep_ == "attr" and noun.head.lemma_ == "be":
        subjects = [c for c in noun.head.children if c.dep_ in SUBJECT_DEPS]
        if subjects:
            return subjects
    if noun.dep_ == "appos":
        return [noun.head]
    return [noun]


def _subjects(verb: Token) -> list[Token]:
    """Subject head tokens of ``verb``, inherited through verb conjunction and relative clauses."""
    own = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if own:
        if verb.dep_ == "relcl" and all(s.lower_ in RELATIVE_PRONOUNS for s in own):
            return _referent(verb.head)
        return own
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _subjects(verb.head)
    if verb.dep_ in ("acl", "relcl") and verb.head.pos_ in ("NOUN", "PROPN"):
        return _referent(verb.head)
    if verb.dep_ == "advcl" and verb.tag_ == "VBN" and verb.i < verb.head.i:
        return _subjects(verb.head)  # "Born in Osaka, she moved ...": the main clause's subject
    return []


def _prep_objects(head: Token, base: str) -> Iterator[tuple[str, Token]]:
    """("<base> <prep>", object) for each prepositional / agent object hanging off ``head``."""
    for prep in head.children:
        if prep.dep_ not in ("prep", "agent"):
            continue
        for pobj in prep.children:
            if pobj.dep_ == "pobj":
                for obj in _with_conjuncts(pobj):
                    yield f"{base} {prep.lower_}", obj
                    yield from _part_of(obj, f"{base} {prep.lower_}")


def _part_of(noun: Token, predicate: str) -> Iterator[tuple[str, Token]]:
    """("<predicate> <part> of", name) when ``noun`` is a part of a named place ("on the south
    coast of Ireland", "on the east bank of the Rhine"): the name is what the part belongs to."""
    if noun.pos_ not in ("NOUN", "PROPN") or noun.lemma_.lower() not in PART_NOUNS:
        return
    for prep in noun.children:
        for named in _of_objects(prep):
            if (named.pos_ == "PROPN" or named.ent_type_) and named.ent_type_ != "DATE":
                yield f"{predicate} {noun.lemma_.lower()} of", named


def _of_objects(prep: Token) -> Iterator[Token]:
    """The objects of ``prep`` when it is a noun's "of" ("Saxony" in "the state of Saxony")."""
    if prep.dep_ == "prep" and prep.lower_ == "of":
        yield from (child for child in prep.children if child.dep_ == "pobj")


def _verb_relations(verb: Token) -> Iterator[tuple[str, Token]]:
    """(predicate, object head) pairs a verb (or copula) asserts about its subjects."""
    base = _verb_base(verb)
    complements = [c for c in verb.children if c.dep_ in ("attr", "acomp")]
    for child in verb.children:
        if child.dep_ in OBJECT_DEPS:
            for obj in _with_conjuncts(child):
                yield base, obj
    for comp in complements:
        for item in _with_conjuncts(comp):
            of_objects = list(_prep_objects(item, item.lemma_.lower() if item.pos_ != "PROPN" else base))
            yield from of_objects
            if not of_objects and item.dep_ == "attr":
                yield ("is a" if base == "is" else base), item
    if not (verb.lemma_ == "be" and complements):
        yield from _prep_objects(verb, base)


def _appositions(token: Token) -> Iterator[tuple[Token, str, Token]]:
    for appos in token.children:
        if appos.dep_ != "appos":
            continue
        if appos.pos_ == "PROPN" and token.pos_ != "PROPN":
            yield appos, "is a", token  # "his wife, Margrethe Nørlund" -> (Margrethe Nørlund, is a, wife)
        elif appos.pos_ == "NOUN":
            # "X was an astronomer, the daughter of Y": the appositive describes X, not "astronomer"
            described = token.dep_ == "attr" and token.pos_ == "NOUN"  # not "X has been Y, a pilot"
            for subject in _referent(token) if described else [token]:
                yield subject, "is a", appos
                for pred, obj in _prep_objects(appos, appos.lemma_.lower()):
                    yield subject, pred, obj  # "Bohr, a professor at X" -> (Bohr, professor at, X)


def extract_from_doc(doc: Doc, *, resolve_pronouns: bool = True) -> tuple[list[RawTriple], list[Arg]]:
    """Every pattern match in ``doc`` in document order (duplicates removed), and its entities.

    The entities are the NER spans of naming kinds (people, places, works, dates, ...) followed by
    every other triple argument, each once.
    """
    index = _Doc(doc, resolve_pronouns=resolve_pronouns)
    found: list[RawTriple] = []
    seen: set[tuple[str, str, str]] = set()
    bracketed: set[int] = set()  # tokens inside life-date brackets: no other pattern reads them

    def keep(subj: Arg, predicate: str, obj: Arg) -> None:
        key = (subj.text, predicate, obj.text)
        if key not in seen:
            seen.add(key)
            found.append(RawTriple(subj, predicate, obj))

    for person, life_predicate, date, span in _life_dates(doc, index):
        keep(person, life_predicate, date)
        bracketed.update(range(span.start, span.end))

    def add(subj_tok: Token, predicate: str, obj_tok: Token) -> None:
        if subj_tok.i in bracketed or obj_tok.i in bracketed:
            return
        subj = index.arg(subj_tok)
        bare = (  # "the company", "the film": no name, no other word
            subj_tok.pos_ == "NOUN"
            and subj_tok.i not in index.chunk_of
            and [c.lower_ for c in subj_tok.children if c.dep_ != "punct"] == ["the"]
        )
        referring = bare and subj_tok.lemma_.lower() in REFERRING_NOUNS
        described = index.described_before(subj_tok) if bare and not referring else None
        if referring:  # "The company is headquartered in Tallinn": the latest organisation-like subject
            subj = index.latest_thing(subj_tok.i, organisation=True)
        elif described is not None:  # "The film was produced by ..." after "X is a 2016 drama film"
            subj = described
        elif subj_tok.pos_ == "NOUN" and index.named_appositive(subj_tok) is not None:
            pass  # "Her novel, The Salt Ferry, was set in X": the name is the subject (index.arg)
        elif subj_tok.pos_ == "NOUN" and any(c.dep_ == "poss" for c in subj_tok.children):
            # "Its headquarters are in Osaka": the owner is the subject, the noun names the relation
            subj = index.possessor(subj_tok)
            words = predicate.split()
            rest = words[2:] if words[:2] == ["is", "a"] else words[1:] if words[:1] == ["is"] else words
            predicate = " ".join([subj_tok.lower_, *rest])
        elif (
            predicate == "is a"
            and _role_noun(subj_tok)
            and index.named(obj_tok)
            and obj_tok.ent_type_ not in NUMERIC_LABELS
        ):
            # "The current head coach is Daniel Osei": the role of the latest named subject
            subj = index.latest_thing(subj_tok.i, subjects_only=True)
            predicate = " ".join(
                [*(t.lower_ for t in subj_tok.lefts if t.dep_ == "compound"), subj_tok.lower_]
            )
        obj = index.arg(obj_tok)
        if subj is None or obj is None or not (subj.named or obj.named):
            return
        if subj.text.casefold() == obj.text.casefold():
            return
        keep(subj, predicate, obj)

    if doc.has_annotation("DEP"):
        for token in doc:
            if token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass"):
                relations = list(_verb_relations(token))
                if relations:
                    for subject in _subjects(token):
                        for subj in _with_conjuncts(subject):
                            for predicate, obj in relations:
                                add(subj, predicate, obj)
            for subj, predicate, obj in _appositions(token):
                add(subj, predicate, obj)
            named = index.named_appositive(token) if token.pos_ == "NOUN" else None
            if named is not None and any(c.dep_ == "poss" for c in token.children):
                # "Their daughter, Mara Hart, ..." -> (their referent, "daughter", Mara Hart)
                owner, name = index.possessor(token), index.arg(named)
                if owner is not None and name is not None and owner.text != name.text:
                    keep(owner, token.lower_, name)

    entities: dict[str, Arg] = {}
    for ent in index.ents:
        if ent.start in bracketed:
            continue
        arg = _make_arg(ent, ent.label_, named=True) if ent.label_ not in NUMERIC_LABELS else None
        if arg is not None:
            entities.setdefault(arg.text, arg)
    for triple in found:
        entities.setdefault(triple.subject.text, triple.subject)
        entities.setdefault(triple.object.text, triple.object)
    return found, list(entities.values())


def _life_dates(doc: Doc, index: _Doc) -> Iterator[tuple[Arg, str, Arg, Span]]:
    """(name, "born on"/"died on", date, bracket span) for each life-date bracket after a name."""
    for match in LIFE_DATES.finditer(doc.text):
        span = doc.char_span(match.start(), match.end() - 1, alignment_mode="expand")
        if span is None or span.start == 0:
            continue
        before = doc[span.start - 1]
        if not index.named(before):
            continue
        subj = index.arg(before)
        if subj is None:
            continue
        end = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        whole = end if end is not None else span
        if match.group("kind"):
            predicate = "born on" if match.group("kind").lower().startswith("b") else "died on"
            yield subj, predicate, Arg(match.group("one").strip(), "DATE", True), whole
        else:
            yield subj, "born on", Arg(match.group("birth").strip(), "DATE", True), whole
            yield subj, "died on", Arg(match.group("death").strip(), "DATE", True), whole
