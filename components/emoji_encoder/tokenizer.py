"""DeepMoji-style tweet tokenizer and vocabulary (self-contained: one regex, no NLP deps).

Conventions follow DeepMoji's preprocessing (Felbo et al., 2017):

* text is lowercased; runs of 3+ identical characters shrink to 2 (`sooooo` -> `soo`,
  `!!!!` -> `!!`), so elongations share a token with their mildest elongated form;
* URLs -> `<url>`, @mentions -> `<user>`, numbers -> `<number>`;
* hashtags stay whole (`#tbt`); each emoji is its own token, without variation
  selectors or skin tones (the "same" emoji should count as one vocabulary entry);
* a run of the same punctuation mark is one token (`...` , `!!`), other marks one by one.

The vocabulary is a token list whose position is the id: `<pad>`=0, `<unk>`=1, then
the other placeholders, then corpus tokens by frequency. `vocab_hash()` fingerprints
that list so a checkpoint trained with one vocabulary cannot silently be fed ids from
another (the embedding rows would mean different words).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PAD, UNK, USER, URL, NUMBER = "<pad>", "<unk>", "<user>", "<url>", "<number>"
SPECIALS: tuple[str, ...] = (PAD, UNK, USER, URL, NUMBER)

# Skin tones, variation selectors and ZWJ are dropped before matching: DeepMoji strips
# variation selectors too, and TweetEval leaves a lone U+FE0F where its label emoji was.
_INVISIBLE = re.compile("[\ufe00-\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
_EMOJI = ("\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff"
          "\u3030\u303d\u3297\u3299")
# Alternatives are tried left to right at each position, so more specific kinds come
# first: URLs before emoticons (`http://` must not yield `:/`), emoticons before words
# and punctuation (`:d`, `<3`), flags (two regional indicators) before single emojis.
_TOKEN = re.compile(
    rf"""(?P<url>(?:https?://|www\.)\S+)
    |(?P<user>@\w+)
    |(?P<hashtag>\#\w+)
    |(?P<emoji>[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI}])
    |(?P<emoticon>[:;=]-?[)(\]\[/\\|]+|[:;=]-?[dpo3]\b|<3+|\^_\^|-_-)
    |(?P<number>\d+(?:[.,]\d+)*)
    |(?P<word>\w+(?:['’-]\w+)*)
    |(?P<punct>(?P<mark>[^\w\s])(?P=mark)*)""",
    re.VERBOSE,
)
_REPEATS = re.compile(r"(.)\1{2,}")
_PLACEHOLDER = {"url": URL, "user": USER, "number": NUMBER}


class VocabMismatchError(ValueError):
    """Token ids and weights come from different vocabularies."""


def shorten_repeats(token: str) -> str:
    """Shrink every run of 3+ identical characters to 2, DeepMoji's elongation rule."""
    return _REPEATS.sub(r"\1\1", token)


def tokenize(text: str) -> list[str]:
    """Split one text into DeepMoji-convention tokens (strings, before id lookup)."""
    tokens = []
    for m in _TOKEN.finditer(_INVISIBLE.sub("", text.lower())):
        kind = m.lastgroup  # the outer group: it closes after the nested `mark`
        if kind in _PLACEHOLDER:
            tokens.append(_PLACEHOLDER[kind])
        else:
            tokens.append(shorten_repeats(m.group(0)))
    return tokens


def hash_tokens(tokens: Sequence[str]) -> str:
    """sha256 of the ordered token list (JSON, so no separator can be ambiguous)."""
    return hashlib.sha256(json.dumps(list(tokens), ensure_ascii=False).encode()).hexdigest()


@dataclass
class DeepMojiTokenizer:
    """Texts -> fixed-length id matrices; `vocab_size` caps `build_vocab` (specials included).

    DeepMoji used 50,000 tokens and cut texts at 30 tokens for pretraining.
    """

    max_len: int = 30
    vocab_size: int = 50_000
    vocab: list[str] = field(default_factory=lambda: list(SPECIALS))
    _index: dict[str, int] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_len < 1:
            raise ValueError(f"max_len must be >= 1, got {self.max_len}")
        self._set_vocab(self.vocab)

    def _set_vocab(self, tokens: Sequence[str]) -> None:
        if tuple(tokens[:len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"vocabulary must start with {SPECIALS}, got {list(tokens[:5])}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("vocabulary has duplicate tokens")
        self.vocab = list(tokens)
        self._index = {t: i for i, t in enumerate(self.vocab)}

    def __len__(self) -> int:
        """Number of embedding rows a model needs (the `vocab_size` of its config)."""
        return len(self.vocab)

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text)

    def build_vocab(self, texts: Iterable[str], max_size: int | None = None,
                    min_count: int = 1) -> DeepMojiTokenizer:
        """Keep the most frequent tokens (ties alphabetical, so builds are reproducible)."""
        cap = self.vocab_size if max_size is None else max_size
        if cap < len(SPECIALS):
            raise ValueError(f"max_size must leave room for {len(SPECIALS)} special tokens")
        counts = Counter(tok for text in texts for tok in tokenize(text))
        for special in SPECIALS:
            counts.pop(special, None)
        ranked = sorted((t for t, c in counts.items() if c >= min_count),
                        key=lambda t: (-counts[t], t))
        self._set_vocab(list(SPECIALS) + ranked[:cap - len(SPECIALS)])
        return self

    def ids(self, text: str) -> list[int]:
        unk = self._index[UNK]
        return [self._index.get(t, unk) for t in tokenize(text)][:self.max_len]

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids int64 (N, max_len) right-padded with 0, lengths int64 (N,)); long texts
        keep their first `max_len` tokens, as DeepMoji's sentence tokenizer does."""
        out = np.zeros((len(texts), self.max_len), dtype=np.int64)
        lengths = np.zeros(len(texts), dtype=np.int64)
        for row, text in enumerate(texts):
            ids = self.ids(text)
            out[row, :len(ids)] = ids
            lengths[row] = len(ids)
        return out, lengths

    def vocab_hash(self) -> str:
        return hash_tokens(self.vocab)

    def check_hash(self, expected: str) -> None:
        """Raise VocabMismatchError unless this vocabulary is the one behind `expected`."""
        if expected != self.vocab_hash():
            raise VocabMismatchError(
                f"vocabulary hash {self.vocab_hash()[:12]} does not match the checkpoint's "
                f"{expected[:12]}: rebuild the tokenizer from the checkpoint's vocabulary")

    def to_dict(self) -> dict[str, Any]:
        return {"max_len": self.max_len, "vocab_size": self.vocab_size,
                "vocab": list(self.vocab), "vocab_hash": self.vocab_hash()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeepMojiTokenizer:
        tok = cls(max_len=int(d["max_len"]), vocab_size=int(d["vocab_size"]),
                  vocab=list(d["vocab"]))
        if "vocab_hash" in d:  # catches a hand-edited or truncated vocabulary file
            tok.check_hash(d["vocab_hash"])
        return tok
