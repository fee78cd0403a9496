"""Answer types: what a question asks for, and what kind of thing a candidate answer is.

    asked = question_type("In which country is Nimbus Robotics headquartered?")   # -> place
    kind = candidate_type("2011")                                               # -> date
    compatible(asked, kind)                                                     # -> False

A question's type comes from its wh-word and the head noun of its wh-phrase ("which country",
"what year", "how many", "who"), read with the spaCy pipeline when one is given (the noun the
wh-determiner attaches to) and from the words alone otherwise. A candidate's type comes, in this
order, from a date or number pattern, the entity type the extractor stored (spaCy NER labels of the
offline extractor, or words such as ``person``/``city`` an LLM wrote), the NER label spaCy gave
its mentions in the passages, and words of its own name (``... County``, ``... University``).
An untyped candidate is :data:`UNKNOWN`: it neither fits nor contradicts.

A *fragment* (a pronoun, a determiner or quantifier such as ``most``, a lower-case common noun
such as ``headquarters`` when a name is asked for, a bare day number such as ``11``) is never an
answer: see :func:`is_fragment`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hopgraph.reason.doc.countries import COUNTRY_HEADS, country
from hopgraph.util.question_parse import parse_question


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PERSON, PLACE, ORG, DATE, NUMBER, YESNO, THING, UNKNOWN = (
    "person",
    "place",
    "organisation",
    "date",
    "number",
    "yes/no",
    "thing",
    "unknown",
)
ANSWER_TYPES = (PERSON, PLACE, ORG, DATE, NUMBER, YESNO, THING)
"""What a question can ask for (:data:`UNKNOWN` is a candidate's type only)."""

# head nouns of wh-phrases ("which country", "what company"), by the type they ask for
_HEADS: dict[str, tuple[str, ...]] = {
    PLACE: _words(
        "place city town village country state county province region continent location area "
        "capital island river lake sea ocean mountain street district nation territory municipality "
        "borough neighborhood neighbourhood suburb kingdom empire republic birthplace hometown "
        "venue site port harbor harbour airport stadium park valley desert peninsula bay coast "
        "border parish commune prefecture canton département department headquarters"
    ),
    PERSON: _words(
        "person man woman people who author writer poet novelist composer singer musician actor "
        "actress director producer president king queen prince princess emperor leader founder "
        "father mother son daughter brother sister wife husband spouse child parent teacher student "
        "player coach scientist physicist chemist inventor artist painter architect politician "
        "minister senator governor mayor chancellor pope bishop ruler monarch successor predecessor "
        "member ceo chairman owner creator designer philosopher general emperor lyricist performer "
        "rapper drummer guitarist engineer investor businessman businesswoman entrepreneur conductor "
        "banker lawyer judge journalist editor economist mathematician historian biologist doctor "
        "physician surgeon professor lecturer soldier officer explorer pilot athlete footballer "
        "manager officer diplomat executive critic screenwriter filmmaker playwright photographer "
        "dancer sculptor songwriter cinematographer animator illustrator cartoonist comedian "
        "presenter broadcaster activist researcher linguist astronomer astronaut theologian priest "
        "monk saint nobleman noblewoman duke duchess baron sultan tsar pharaoh sailor swimmer "
        "cyclist boxer wrestler cricketer goalkeeper"
    ),
    ORG: _words(
        "company organisation organization corporation firm business band group team club "
        "university college school institute institution party association society agency label "
        "publisher network channel newspaper magazine airline bank brand manufacturer studio league "
        "union committee council ministry government army navy orchestra ensemble choir museum "
        "library hospital"
    ),
    DATE: _words("year date day month decade century era time period season birthday anniversary"),
    THING: _words(
        "opera film movie novel book song album play poem painting symphony series show game language "
        "species product car ship religion sport genre"
    ),
    NUMBER: _words(
        "number amount percentage percent population count total size height length weight "
        "speed age price cost value rate distance capacity depth temperature"
    ),
}
_HEAD_TYPE = {noun: kind for kind, nouns in _HEADS.items() for noun in nouns}
_MEASURE_HEADS = {"area": NUMBER}
"""Heads that ask for a measure as the copula's subject ("What is the area of X?") and for
another type after a wh-determiner ("In which area of Europe ...?": a place)."""
_AUX = frozenset(
    _words("is are was were do does did can could has have had will would should shall may might")
)
_WH = frozenset(_words("who whom whose what which where when how why"))
_COPULAS = frozenset(_words("is are was were"))
_PREPOSITIONS = frozenset(_words("in on at of for from to by with during since until into under"))
_INSTITUTION_VERBS = frozenset(
    _words(
        "study studies studied studying work works worked working teach teaches taught teaching "
        "educated train trained attend attends attended graduate graduated employed"
    )
)
"""Verbs of a "where" question that a school or an employer answers ("where did X study")."""
_NUMBER_HOW = frozenset(_words("many much old long tall far big large high deep wide heavy often"))


# entity types written by extractors (spaCy NER labels, LLM words) -> answer type
_LABEL_TYPE = {
    "PERSON": PERSON,
    "PER": PERSON,
    "GPE": PLACE,
    "LOC": PLACE,
    "FAC": PLACE,
    "ORG": ORG,
    "NORP": THING,
    "DATE": DATE,
    "TIME": DATE,
    "CARDINAL": NUMBER,
    "QUANTITY": NUMBER,
    "MONEY": NUMBER,
    "PERCENT": NUMBER,
    "ORDINAL": NUMBER,
    "WORK_OF_ART": THING,
    "EVENT": THING,
    "PRODUCT": THING,
    "LAW": THING,
    "LANGUAGE": THING,
}
_WORD_TYPE = {
    **{w: PERSON for w in _words("person people human individual character")},
    **{w: PLACE for w in _words("place location city town country state region gpe loc geo")},
    **{w: ORG for w in _words("organisation organization company org institution")},
    **{w: DATE for w in _words("date time year")},
    **{w: NUMBER for w in _words("number quantity amount")},
}
# last words of names that say what they name
_NAME_ENDINGS: dict[str, tuple[str, ...]] = {
    PLACE: _words(
        "county city town village river lake island islands mountains mountain province state "
        "district region valley bay sea ocean street avenue road square park airport station "
        "peninsula desert falls coast parish republic kingdom empire range peak hills forest canyon"
    ),
    ORG: _words(
        "university college school institute company corporation corp inc ltd llc plc group party "
        "association society records studios club fc team band agency council ministry foundation "
        "bank airlines airways network press orchestra ensemble choir museum library hospital "
        "conservatory academy"
    ),
}
_ENDING_TYPE = {word: kind for kind, words in _NAME_ENDINGS.items() for word in words}

_MONTHS = _words(
    "january february march april may june july august september october november december jan "
    "feb mar apr jun jul aug sep sept oct nov dec"
)
_MONTH = "|".join(_MONTHS)
_DATE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?:c\.\s*|circa\s+|ca\.\s*)?\d{3,4}(?:\s*(?:ad|bc|bce|ce))?",  # a year
        r"\d{3,4}s",  # a decade
        rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\.?,?(?:\s+\d{{3,4}})?",  # 11 November 869
        rf"(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{3,4}})?",  # November 11, 869
        rf"(?:{_MONTH})\.?,?\s+\d{{3,4}}",  # November 869
        r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}",
        r"(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\s+century(?:\s+(?:ad|bc|bce|ce))?",
        r"(?:early|mid|late)[\s-]+\d{3,4}s?",
        r"\d{3,4}\s*(?:-|–|to)\s*\d{2,4}",
    )
]
_NUMBER = re.compile(
    r"(?:about\s+|approximately\s+|around\s+|over\s+|nearly\s+)?[$€£]?\s*\d[\d,]*(?:\.\d+)?\s*"
    r"(?:%|percent|per cent|million|billion|trillion|thousand|hundred|km|kilometres|kilometers|miles|"
    r"metres|meters|m|ft|feet|inches|cm|kg|tons|tonnes|people|inhabitants|years|dollars|euros|"
    r"seconds|minutes|hours|days|weeks|months)?",
    re.IGNORECASE,
)
_NUMBER_WORDS = frozenset(
    _words(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
        "hundred thousand million billion dozen"
    )
)
_NUMBER_WORD = "|".join(sorted(_NUMBER_WORDS))
_COUNTED = re.compile(
    rf"(?:(?:about|approximately|around|over|nearly|some|almost|more than|fewer than|less than)\s+)?"
    rf"(?:\d[\d,]*(?:\.\d+)?|(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))*)"
    r"((?:\s+[a-z][a-z-]*){1,2})"
)
"""A number and the one or two lower-case words it counts ("about 900 trains", "seven stone arches")."""
_FRAGMENT_WORDS = frozenset(
    _words(
        "i me my mine we us our ours you your yours he him his she her hers it its they them their "
        "theirs this that these those who whom whose which what there here one ones someone "
        "something anyone anything everyone everything nobody nothing none all any both each either "
        "neither few many more most much several some such other others another own same a an the "
        "and or but of in on at to for from by with as is was are were be been being not no yes "
        "also only first last former latter later earlier"
    )
)


@dataclass(frozen=True)
class QuestionType:
    """What a question asks for: ``kind`` (one of :data:`ANSWER_TYPES`), the words that said so."""

    kind: str
    cue: str = ""
    institution: bool = False
    """A "where" question about studying or working ("where did X study"): a school or an
    employer answers it as well as a place."""

    @property
    def head(self) -> str:
        """The noun of the wh-phrase, singular ("which countries" -> country), else ""."""
        words = self.cue.split()
        if len(words) < 2 or words[0] not in ("what", "which", "how"):
            return ""
        noun = words[-1]
        if noun not in _HEAD_TYPE and noun.endswith("s") and noun[:-1] in _HEAD_TYPE:
            noun = noun[:-1]
        # a thing's noun names no type but still what is asked ("what treaty", "which waterfall")
        return noun if noun in _HEAD_TYPE or self.kind == THING else ""

    @property
    def accepts(self) -> frozenset[str]:
        """Candidate types that fit: "who" also takes an organisation ("who published X"), and
        "where" about studying or working an institution (:attr:`institution`)."""
        if self.kind == PERSON and self.cue in ("who", "whom", "whose"):
            return frozenset({PERSON, ORG})
        if self.kind == PLACE and self.institution:
            return frozenset({PLACE, ORG})
        if self.kind == THING:
            return frozenset({THING, ORG, PLACE, PERSON})
        return frozenset({self.kind})


def question_type(question: str, nlp: Any = None) -> QuestionType:
    """What ``question`` asks for, from its wh-word and the head noun of its wh-phrase.

    ``nlp`` (a spaCy pipeline with a tagger and parser, optional) finds the head noun a
    wh-determiner attaches to ("which European country" -> country); without it the noun is the
    first word after the wh-word that names a type."""
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", question.casefold())
    if not words:
        return QuestionType(THING)
    if words[0] in _AUX and not (_WH & set(words[:3])):
        return QuestionType(YESNO, words[0])
    heads = _wh_heads(question, nlp) if nlp is not None else []
    for i in _asking_wh(words):
        word = words[i]
        after = words[i + 1 : i + 5]
        if word in ("who", "whom"):
            return QuestionType(PERSON, word)
        if word == "whose":
            return QuestionType(PERSON, word)
        if word == "where":
            return QuestionType(PLACE, word, institution=bool(_INSTITUTION_VERBS & set(words[i + 1 :])))
        if word == "when":
            return QuestionType(DATE, word)
        if word == "how":
            if after and after[0] in _NUMBER_HOW:
                return QuestionType(NUMBER, f"how {after[0]}")
            continue
        if word in ("what", "which"):
            if not heads and after[:1] and after[0] in _AUX:
                # "what is the population of X": the copula's subject; "what does the company
                # build": no head noun at all
                after = after[2:3] if after[0] in _COPULAS and after[1:2] in (["the"], ["a"]) else []
                if after and after[0] in _MEASURE_HEADS:
                    return QuestionType(_MEASURE_HEADS[after[0]], f"{word} {after[0]}")
            for head in heads or after[:3]:
                if head in _HEAD_TYPE:
                    return QuestionType(_HEAD_TYPE[head], f"{word} {head}")
                if head.endswith("s") and head[:-1] in _HEAD_TYPE:
                    return QuestionType(_HEAD_TYPE[head[:-1]], f"{word} {head}")
                if heads:
                    break
            noun = _thing_noun(heads, words[i + 1 :])
            return QuestionType(THING, f"{word} {noun}" if noun else word)
    return QuestionType(THING)


def _thing_noun(heads: list[str], after: list[str]) -> str:
    """The noun a question asking for a thing names: the wh-determiner's noun ("what treaty"),
    else the noun of "(is) the name of the N" or "what kind/type of N" after the wh-word; "" if
    none. ``after``: the question's words after the wh-word."""
    if heads and heads[0] not in _THING_VAGUE:
        return heads[0]
    if not heads and len(after) > 1 and after[1] in _AUX and after[0] not in _AUX | _THING_VAGUE:
        return after[0]  # without a parse: "what treaty did ...", a noun then its verb
    match = _THING_PHRASE.match(" ".join(after))
    return match.group(1) if match and match.group(1) not in _THING_VAGUE else ""


_THING_VAGUE = frozenset(_words("name kind type sort thing one part term"))
_THING_PHRASE = re.compile(
    r"(?:(?:is|was|are|were)\s+)?(?:the\s+)?(?:name|kind|type|sort)\s+of\s+(?:the\s+|a\s+)?([a-z]+)"
)


def _asking_wh(words: list[str]) -> list[int]:
    """Positions of the wh-words that ask (first word, after a leading preposition, last word,
    after a comma-less clause start, a wh-phrase after a preposition that ends the question: "is
    part of what mountain range", "how many"/"how much" anywhere: "The state where X died has how
    many districts?"), before those that only start a relative clause ("the river which ...", "in
    which ...", "the state where ...")."""
    found = [i for i, w in enumerate(words) if w in _WH]
    asking = [
        i
        for i in found
        if i == 0
        or (i == 1 and words[0] in _PREPOSITIONS)
        or i == len(words) - 1
        or (words[i] in ("how", "when", "where", "who") and words[i - 1] in ("and", "but", "so"))
        or (words[i] in ("what", "which") and words[i - 1] in _PREPOSITIONS and len(words) - i <= 4)
        or (words[i] == "how" and words[i + 1 : i + 2] in (["many"], ["much"]))
    ]
    return asking + [i for i in found if i not in asking]


def _wh_heads(question: str, nlp: Any) -> list[str]:
    """The lower-case lemma of the noun each wh-determiner of ``question`` attaches to (or of its
    compound modifier, when only that names a type)."""
    try:
        doc = parse_question(nlp, question)
    except Exception:  # noqa: BLE001 - an odd question must not stop the answer
        return []
    out = []
    for token in doc:
        if token.lower_ in ("what", "which") and token.dep_ in ("det", "attr", "dobj", "pobj", "nsubj"):
            head = token.head if token.dep_ == "det" else None
            if head is not None and head.pos_ in ("NOUN", "PROPN"):
                noun = (head.lemma_ or head.text).casefold()
                # "what mountain range": the compound's typed noun when the head names no type
                typed = [
                    word
                    for child in head.children
                    if child.dep_ == "compound"
                    and (word := (child.lemma_ or child.text).casefold()) in _HEAD_TYPE
                ]
                out.append(noun if noun in _HEAD_TYPE or not typed else typed[-1])
    return out


def pattern_type(name: str) -> str:
    """:data:`DATE` or :data:`NUMBER` when the whole of ``name`` is one, else :data:`UNKNOWN`."""
    text = name.strip().strip(".,;:()[]\"'")
    if not text:
        return UNKNOWN
    if any(p.fullmatch(text) for p in _DATE_PATTERNS):
        if re.fullmatch(r"\d{3,4}", text) and not 100 <= int(text) <= 2100:
            return NUMBER
        return DATE
    if _NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        return NUMBER
    if all(w in _NUMBER_WORDS for w in text.casefold().split()):
        return NUMBER
    counted = _COUNTED.fullmatch(text)
    if counted and not any(w in _NUMBER_WORDS or w in _FRAGMENT_WORDS for w in counted.group(1).split()):
        return NUMBER  # a count of things: "about 900 trains", "seven arches"
    return UNKNOWN


def label_type(label: str) -> str:
    """The answer type an extractor's entity type names (``GPE`` -> place), else :data:`UNKNOWN`."""
    label = label.strip()
    if not label:
        return UNKNOWN
    if label.upper() in _LABEL_TYPE:
        return _LABEL_TYPE[label.upper()]
    return _WORD_TYPE.get(label.casefold(), UNKNOWN)


def name_type(name: str) -> str:
    """The type the last word of a name says (``DuPage County`` -> place), else :data:`UNKNOWN`."""
    words = re.findall(r"[A-Za-z]+", name)
    if len(words) < 2 or not name[:1].isupper():
        return UNKNOWN
    return _ENDING_TYPE.get(words[-1].casefold(), UNKNOWN)


_DESCRIBED = r"\s*(?:\([^)]{0,80}\)\s*,?\s*)?(?:is|was|are|were)\s+(?:a|an|the|one of the)\s+([\w' -]{1,60})"


def described_type(name: str, texts: Iterable[str], head: str = "") -> tuple[str, str]:
    """(type, noun) from the first passage that says what ``name`` is: "Sapporo is a city in
    Japan" (place, city), "Glass Harbour is an opera by ..." (thing, opera), "Halvard Lind (born
    1950) is a Norwegian composer" (person, composer); (:data:`UNKNOWN`, "") when none does.

    The noun is the last of the (at most four) words after the article that names a type, before
    a preposition or conjunction: the head of the noun phrase, so "a German film director" gives
    director (a person, not a film), "a film production company" company, "a peer-reviewed
    academic journal" nothing. A ``head`` that names no type (a thing's noun the question asks
    for: "waterfall") counts as one:
    "Victoria Falls is a waterfall in ..." gives (thing, waterfall)."""
    head = head if head and head not in _HEAD_TYPE else ""
    if len(name.strip()) < 2:
        return UNKNOWN, ""
    texts = list(texts)
    if not any(_described_after(text, name.strip()) for text in texts):
        return _titled(name.strip(), texts)
    # the name starts its sentence or follows "the": not the end of a longer name ("University of
    # Ibadan is a university" says nothing about Ibadan)
    pattern = re.compile(
        rf"(?:^|(?<=\n)|(?<=[.!?;:]\s)|(?<=[Tt]he\s)){re.escape(name.strip())}{_DESCRIBED}", re.IGNORECASE
    )
    for text in texts:
        for match in pattern.finditer(text):
            found: tuple[str, str] | None = None
            for word in match.group(1).split()[:4]:
                noun = word.casefold()
                if noun in _PREPOSITIONS or noun in _PHRASE_ENDS:
                    break
                if head and noun.rstrip("s") == head.rstrip("s"):
                    return THING, head
                kind = _HEAD_TYPE.get(noun) or (_HEAD_TYPE.get(noun[:-1]) if noun.endswith("s") else None)
                if kind is not None:  # the phrase's head is its last noun: a film *director*
                    found = (kind, noun)
            if found is not None:
                return found
    return _titled(name.strip(), texts)


def _titled(name: str, texts: Sequence[str]) -> tuple[str, str]:
    """(type, noun) from a type noun written just before ``name`` after an article or an
    adjective: "married to the composer Paul Richter" (person, composer), "the river Thames", or
    a role said to be the name: "Its chief executive is Ines Morrow" (person, executive);
    (:data:`UNKNOWN`, "") when no passage writes one ("the city of Leipzig" is left to the
    copula pattern)."""
    for text in texts:
        at = text.find(name)
        while at >= 0:
            words = text[max(0, at - 40) : at].split()
            if (
                len(words) >= 2
                and text[at - 1 : at] == " "
                and not text[at + len(name) : at + len(name) + 1].isalnum()
            ):
                noun, before = words[-1], words[-2]
                kind = _HEAD_TYPE.get(noun) if noun.islower() else None
                if kind is not None and before.casefold() not in _PREPOSITIONS:
                    return kind, noun
                role = _ROLE_BEFORE.search(text[max(0, at - 60) : at])
                noun = role.group(1) if role is not None else ""
                if noun in _HEAD_TYPE:  # "Its chief executive is Ines Morrow": the role's type
                    return _HEAD_TYPE[noun], noun
            at = text.find(name, at + 1)
    return UNKNOWN, ""


_ROLE_BEFORE = re.compile(
    r"\b([a-z]+)\s+(?:since\s+\d{4}\s+|in\s+\d{4}\s+)?(?:is|was|has\s+been|had\s+been)\s+$"
)
"""A role noun said to be the name that follows ("Its mayor since 2019 has been Tomas Keel")."""


_PHRASE_ENDS = frozenset(_words("and or who whom which that whose where when"))
"""Words that end the noun phrase a description's type is read from ("an actor and singer")."""


_DESCRIBED_TAIL = re.compile(_DESCRIBED, re.IGNORECASE)
_CASE_CLASS = str.maketrans("iksIKS", "??????")


@functools.lru_cache(maxsize=1024)
def _case_key(text: str) -> str:
    """``text`` of the same length, each character replaced by a key that characters equal under
    ``re.IGNORECASE`` share: ASCII letters lower-cased; every other character, and i, k and s
    (which match the non-ASCII ı, İ, K and ſ), ``?``. Coarser than the regex's equality, never
    finer, so a name whose key is not in a text's key cannot match there. Cached: every candidate
    of an answer is looked for in the same few passages."""
    return text.encode("ascii", "replace").decode("ascii").lower().translate(_CASE_CLASS)


def _described_after(text: str, name: str) -> bool:
    """Whether ``text`` may describe ``name``: some place where ``name`` may occur (by its
    :func:`_case_key`) is followed by what :func:`described_type`'s pattern reads after the name.
    Checked before that pattern is compiled for the name: compiling one per candidate cost more
    than the rest of the answer's ranking."""
    key, folded = _case_key(name), _case_key(text)
    at = folded.find(key)
    while at >= 0:
        if _DESCRIBED_TAIL.match(text, at + len(name)):
            return True
        at = folded.find(key, at + 1)
    return False


def candidate_type(name: str, labels: Iterable[str] = (), described: str = UNKNOWN) -> str:
    """The type of a candidate answer: its pattern, then what a passage says it is
    (``described``, :func:`described_type`), a country's name, the type its name's words say
    ("Lyon Chamber Orchestra"), then the label most of its labels name (stored entity type, NER
    labels of its mentions; ties to the first)."""
    labels = list(labels)
    kind = pattern_type(name)
    if kind in (DATE, NUMBER) and name.strip().isdigit() and len(name.strip()) <= 4:
        # a bare integer: its mentions' labels decide ("in 1979" DATE, "420 people" CARDINAL)
        said = [label_type(label) for label in labels]
        if NUMBER in said and DATE not in said:
            return NUMBER
        if DATE in said:
            return DATE
        return DATE if len(name.strip()) == 4 else NUMBER
    if kind != UNKNOWN:
        return kind
    if described != UNKNOWN:
        return described
    if country(name) is not None:
        return PLACE  # "Norway", "the U.S.": whatever a recogniser guessed of a mention
    if name_type(name) != UNKNOWN:
        return name_type(name)  # "Lyon Chamber Orchestra": its last word, over a recogniser's guess
    said = [k for k in (label_type(label) for label in labels) if k != UNKNOWN]
    if said:
        return max(dict.fromkeys(said), key=said.count)
    return name_type(name)


_STATE_WORDS = frozenset(
    _words("kingdom republic empire duchy principality sultanate emirate caliphate khanate confederation")
)
"""Words in a name that say it is a state ("Kingdom of Hungary", "Republic of Venice")."""
_NAME_SAYS = {
    "company": frozenset(
        {"group", "inc", "corporation", "corp", "ltd", "limited", "plc", "gmbh", "ag", "llc", "holdings"}
    ),
    "university": frozenset({"college", "institute"}),
    "school": frozenset({"college", "academy", "institute"}),
}
"""Words in a name that say what it is besides the head noun itself ("Volvo Group" is a company)."""
# nouns a passage may use for what a question's head noun asks ("the capital of X" is a city)
_SAME_HEAD = {
    "city": frozenset({"capital", "town", "municipality"}),
    "town": frozenset({"city", "municipality", "village"}),
    "country": frozenset({"nation", "republic", "kingdom", "state"}),
    "nation": frozenset({"country", "republic", "kingdom", "state"}),
    "company": frozenset({"corporation", "firm", "business", "manufacturer"}),
    "state": frozenset({"country", "nation", "province"}),
}


def head_fit(asked: QuestionType, name: str, noun: str = "") -> bool | None:
    """Whether a candidate is what the question's head noun asks for ("which university"):
    True when its name says the noun ("University of Ibadan") or a passage describes it as one
    (``noun``, from :func:`described_type`), False when a passage describes it as another thing
    of the same type (a city, "Tallinn is the capital of Estonia", for "which country"), None
    when nothing says. A country is known by name (:mod:`~hopgraph.reason.doc.countries`' table,
    or a state's word in it: "Kingdom of Hungary"); a name the table does not hold and no passage
    describes is taken to be none (the table holds every country and territory a "which country"
    question is answered by, and the past states questions still ask about)."""
    head = asked.head
    if not head:
        return None
    words = {w.casefold() for w in re.findall(r"[A-Za-z]+", name)}
    if head in COUNTRY_HEADS:
        if country(name) is not None or words & _STATE_WORDS:
            return True  # "Norway", "the U.S.", "Kingdom of Hungary": a country by name
        if not noun:
            return False  # a name neither the country table nor a passage says is one: none
    if head in words or f"{head}s" in words or words & _NAME_SAYS.get(head, frozenset()):
        return True
    if not noun or head not in _HEAD_TYPE:  # a thing's noun: only the same noun says it fits
        return True if noun and noun.rstrip("s") == head.rstrip("s") else None
    noun = noun[:-1] if noun not in _HEAD_TYPE and noun.endswith("s") else noun
    if noun == head or noun in _SAME_HEAD.get(head, ()):
        return True
    if _HEAD_TYPE.get(noun) == _HEAD_TYPE.get(head):
        return False
    return None


def compatible(asked: QuestionType, kind: str) -> bool | None:
    """True when a candidate of type ``kind`` fits ``asked``, False when it contradicts it, None
    when nothing can be said (an untyped candidate, a question asking for a thing or yes/no). An
    untyped candidate contradicts a date or number question: it matched no date or number pattern."""
    if kind == UNKNOWN and asked.kind in (DATE, NUMBER):
        return False  # dates and numbers are written in patterns: a name matching none is neither
    if kind == UNKNOWN or asked.kind in (YESNO,):
        return None
    if asked.kind == THING:
        return None
    return kind in asked.accepts


def is_fragment(name: str, asked: QuestionType | None = None) -> bool:
    """Whether ``name`` is no answer at all: empty, a pronoun, determiner or quantifier
    (``most``, ``it``), a bare number up to 31 when no number is asked (a day cut from a date:
    ``11``), a lone lower-case word when a name, date or number is asked (``headquarters``)."""
    text = name.strip().strip(".,;:()[]\"'")
    words = text.casefold().split()
    if not words or all(w in _FRAGMENT_WORDS for w in words):
        return True
    if len(text) < 2 and not text.isdigit():
        return True
    kind = asked.kind if asked is not None else THING
    if text.isdigit() and int(text) <= 31 and kind != NUMBER:
        return True
    if kind in (PERSON, PLACE, ORG, DATE, NUMBER) and len(words) == 1 and text.islower():
        return pattern_type(text) == UNKNOWN
    return False


__all__ = _words(
    "ANSWER_TYPES DATE NUMBER ORG PERSON PLACE THING UNKNOWN YESNO QuestionType candidate_type "
    "compatible described_type head_fit is_fragment label_type name_type pattern_type question_type"
)
