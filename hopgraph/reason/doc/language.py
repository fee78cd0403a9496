"""Is a question English? The bundled models (all-MiniLM-L6-v2, spaCy ``en_core_web_sm``) are not
multilingual: a question in another language gets a warning naming the setting to change.

    guess_language("Où est né le fondateur de Nimbus Robotics ?")   # -> "French"
    language_note("Wo wurde ...", "all-MiniLM-L6-v2")                  # -> the warning, or None

Letters outside the Latin script (more than a third of them) name their script; Latin-script
text is compared by its function words against small lists for English and six other European
languages (a question needs two more of another language's words than English ones).
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ENGLISH = "English"
MULTILINGUAL_HINT = "paraphrase-multilingual-MiniLM-L12-v2"
"""A multilingual sentence-transformers model the warning suggests (not bundled)."""
SETTING = "[embed] model (environment: HOPGRAPH_EMBED_MODEL)"

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    ENGLISH: frozenset(
        _words(
            "the of and in is was were are who what which where when how did does do a an to by for "
            "from with that this his her its their born founded"
        )
    ),
    "French": frozenset(
        _words(
            "le la les de des du est sont qui que quel quelle quels où quand comment dans et un une né "
            "née a été par pour avec au aux sur"
        )
    ),
    "German": frozenset(
        _words(
            "der die das des dem den ist sind war wer was welche welcher welches wo wann wie und ein "
            "eine in im von mit für wurde geboren hat auf"
        )
    ),
    "Spanish": frozenset(
        _words(
            "el la los las de del es son fue quién qué cuál dónde cuándo cómo en y un una por para con "
            "nació al"
        )
    ),
    "Italian": frozenset(
        _words(
            "il lo la gli le di del della è sono chi che quale dove quando come in e un una per con "
            "nato nata fu"
        )
    ),
    "Portuguese": frozenset(
        _words("o a os as de do da é são quem que qual onde quando como em e um uma por para com nasceu foi")
    ),
    "Dutch": frozenset(
        _words("de het een van is zijn was wie wat welke waar wanneer hoe en in met voor door geboren werd")
    ),
}
_SCRIPTS = (
    ("CJK", "Chinese/Japanese"),
    ("HIRAGANA", "Japanese"),
    ("KATAKANA", "Japanese"),
    ("HANGUL", "Korean"),
    ("CYRILLIC", "Cyrillic-script"),
    ("ARABIC", "Arabic-script"),
    ("HEBREW", "Hebrew"),
    ("GREEK", "Greek"),
    ("DEVANAGARI", "Devanagari-script"),
    ("THAI", "Thai"),
)


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def guess_language(text: str) -> str:
    """``English``, another language's name, or ``""`` when the text is too short to tell."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return ""
    scripts: dict[str, int] = {}
    for ch in letters:
        if ord(ch) < 0x250:  # Latin, Latin-1, Latin Extended-A/B
            continue
        name = unicodedata.name(ch, "")
        for key, script in _SCRIPTS:
            if name.startswith(key) or f" {key}" in name:
                scripts[script] = scripts.get(script, 0) + 1
                break
    if scripts and sum(scripts.values()) * 3 > len(letters):
        return max(scripts, key=lambda s: scripts[s])
    words = [w.casefold() for w in _WORD.findall(text)]
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    english = counts.pop(ENGLISH)
    other, best = max(counts.items(), key=lambda kv: kv[1])
    if best >= english + 2 and best >= 2:
        return other
    return ENGLISH if english else ""


def language_note(question: str, model_name: str) -> str | None:
    """A warning when ``question`` is not English and ``model_name`` (the embedder's) is not a
    multilingual one; None otherwise."""
    language = guess_language(question)
    if not language or language == ENGLISH or "multilingual" in model_name.casefold():
        return None
    return (
        f"This question looks {language}, not English: the bundled models ({model_name} and spaCy's "
        f"en_core_web_sm) are English-only, so this answer is unreliable. For other languages set "
        f'{SETTING} to a multilingual sentence-transformers model such as "{MULTILINGUAL_HINT}" '
        "and rebuild the graph with it."
    )


__all__ = _words("ENGLISH MULTILINGUAL_HINT SETTING guess_language language_note")
