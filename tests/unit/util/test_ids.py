"""Name keys: NFC, white space of every kind collapsed and trimmed, case kept (``name_key`` folds it)."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from hopgraph.ids import entity_id, name_key, normalize_name

WHITE = [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]


def _by_regex(name: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip()


@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(WHITE)), max_size=40))
def test_normalize_name_collapses_exactly_the_white_space_a_regex_would(name: str) -> None:
    assert normalize_name(name) == _by_regex(name)


def test_every_kind_of_white_space_is_one_space_and_case_is_kept() -> None:
    assert normalize_name("\u2003Sienna\u00a0\u2028 Miller\x1f") == "Sienna Miller"
    assert normalize_name("Ko\u0308nigsberg") == "Königsberg"  # NFC
    assert name_key(" SIENNA  miller") == "sienna miller"
    assert entity_id("Sienna Miller") == entity_id(" Sienna\tMiller ") != entity_id("sienna miller")
