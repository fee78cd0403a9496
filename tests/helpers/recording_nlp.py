"""A spaCy pipeline wrapper that records the texts it is asked to parse (one call or ``pipe``)."""

from __future__ import annotations

from typing import Any


class RecordingNlp:
    """``nlp`` itself, with every text it parses appended to :attr:`parsed`."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.parsed: list[str] = []

    def __call__(self, text: str, **kwargs: Any) -> Any:
        self.parsed.append(text)
        return self.nlp(text, **kwargs)

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        texts = list(texts)
        self.parsed.extend(texts)
        return self.nlp.pipe(texts, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.nlp, name)
