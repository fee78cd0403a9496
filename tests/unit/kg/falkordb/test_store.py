"""FalkorDB's parameter header: every value becomes a literal in the header, never in the query."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hopgraph.kg.falkordb.store import VECTOR_MIN_LENGTH, cypher_header


def test_scalars_and_containers() -> None:
    header = cypher_header({"s": 'a "q" \\ b', "i": 3, "f": 0.5, "t": True, "n": None, "m": {"k": [1, "x"]}})
    assert header == 'CYPHER `s`="a \\"q\\" \\\\ b" `i`=3 `f`=0.5 `t`=true `n`=null `m`={`k`:[1,"x"]} '
    assert cypher_header({}) == "" and cypher_header(None) == ""


def test_vectors_keep_float32_precision() -> None:
    vector = [math.pi / (i + 1) for i in range(VECTOR_MIN_LENGTH)]
    header = cypher_header({"v": vector})
    values = [float(x) for x in header.split("=", 1)[1].strip()[1:-1].split(",")]
    assert np.array_equal(np.float32(values), np.float32(vector))
    short = cypher_header({"v": [math.pi]})  # short float lists are plain values: full precision
    assert repr(math.pi) in short


def test_numpy_scalars_are_numbers() -> None:
    assert cypher_header({"x": np.float32(0.25), "y": np.int64(7)}) == "CYPHER `x`=0.25 `y`=7 "


@pytest.mark.parametrize("bad", [math.nan, math.inf, [math.nan] * VECTOR_MIN_LENGTH])
def test_non_finite_numbers_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match=r"NaN|nan|inf"):
        cypher_header({"x": bad})


def test_text_with_a_nul_character_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="NUL"):
        cypher_header({"names": ["ok", "cut\x00here"]})


@pytest.mark.parametrize("key", ["", "a`b", 3])
def test_bad_keys_are_refused(key: object) -> None:
    with pytest.raises(ValueError, match="invalid parameter"):
        cypher_header({key: 1})  # type: ignore[dict-item]


def test_unsupported_types_are_refused() -> None:
    with pytest.raises(TypeError, match="set"):
        cypher_header({"x": {1, 2}})
