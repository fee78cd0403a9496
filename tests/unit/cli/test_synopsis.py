"""README's command-line synopsis is what the parser takes; --config FILE does what README says."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopgraph.cli import app as cli
from hopgraph.cli.synopsis import END, START, readme_block, replace_block, synopsis

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_synopsis_is_generated_from_the_parser() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    assert text[start:end] == readme_block(), (
        "README's synopsis is stale: run python -m hopgraph.cli.synopsis --write README.md"
    )


def test_synopsis_lists_every_command_and_option_of_the_parser() -> None:
    lines = synopsis().splitlines()
    commands = {" ".join(line.split(" --graph DIR")[0].split()[1:]) for line in lines}
    assert commands >= {"import", "stats", "cypher", "shell", "export", "ingest", "jobs", "delete", "ask",
                        "train qa", "train metaqa", "eval retrieval", "eval metaqa"}  # fmt: skip
    ask = next(line for line in lines if line.startswith("hopgraph ask "))
    for option in ("-k K", "--extractive", "--threads THREADS", "QUESTION..."):
        assert option in ask
    cypher = next(line for line in lines if line.startswith("hopgraph cypher "))
    assert "[--params-json JSON]" in cypher and "[--limit N]" in cypher and "[--max-width N]" in cypher


def test_replace_block_needs_the_markers() -> None:
    assert replace_block(f"a\n{START}\nold\n{END}\nb", "NEW") == "a\nNEW\nb"
    with pytest.raises(ValueError, match="markers"):
        replace_block("no markers", "NEW")


def test_config_file_names_the_settings(
    short_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: settings come from DIR/hopgraph.toml or the file --config names."""
    monkeypatch.delenv("HOPGRAPH_STORE_URL", raising=False)
    monkeypatch.delenv("HOPGRAPH_STORE_BACKEND", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    config = short_tmp / "settings.toml"
    config.write_text('[store]\nbackend = "neo4j"\n')
    (short_tmp / "g").mkdir()
    # the file's backend is used: neo4j without a uri is the error that proves it was read
    assert cli.main(["stats", "--graph", str(short_tmp / "g"), "--config", str(config)]) == 2
    assert "neo4j store needs [store] uri" in capsys.readouterr().err
    assert cli.main(["stats", "--graph", str(short_tmp / "g"), "--config", str(short_tmp / "nope.toml")]) == 2
    err = capsys.readouterr().err
    assert "nope.toml does not exist" in err and "Traceback" not in err
