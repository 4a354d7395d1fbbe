"""A fast tweet tokenizer: one compiled regex, one `findall`, one cheap pass per token.

Token kinds, tried in this order at each position (order matters: URLs before
emoticons so `http://` never yields `:/`, emoticons before words so `XD` survives):

1. URLs                  -> `<url>`            (with `placeholders`)
2. emojis                -> kept whole (flags, keycaps, skin tones, ZWJ sequences),
                            without variation selectors (`❤️` -> `❤`)
3. placeholders already in the text (`<user>`), emoticons (`:-)`, `XD`, `<3`, `^_^`)
4. hashtags, mentions, numbers, words (`don't` stays whole)
5. punctuation (`!!!`, `?!`, `...` as one run; other symbols one by one)

Invisible leftovers (lone U+FE0F, U+200D, zero-width spaces, tags) match nothing and
simply vanish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from components.text.emojis import EMOJI_PATTERN, canonical_emoji

URL_TOKEN, USER_TOKEN, NUMBER_TOKEN = "<url>", "<user>", "<number>"
PLACEHOLDERS = (URL_TOKEN, USER_TOKEN, NUMBER_TOKEN, "<hashtag>", "<emoji>")

# URL characters are RFC 3986's plus Unicode letters (not emojis: `💥https://t.co/x💥`); the
# last one may not be sentence punctuation, so `(see http://x.co/a).` keeps `).` outside.
_URL = r"(?:https?://|www\.)[\w\-.~:/?#\[\]@!$&'()*+,;=%]*[\w/#=&%\-~+]"
_PLACEHOLDER = "|".join(re.escape(p) for p in PLACEHOLDERS)


def _emoticon_pattern() -> str:
    """Western, letter and kaomoji emoticons; letter-final ones must end a word."""
    eyes, tear, nose = r"[:;=]", "'?", r"[-o^]?"
    # Emoticons ending in a letter or digit (`:D`, `:p`, `:3`) would otherwise eat the
    # start of a word (`:Dave`), so they need a non-word character after them.
    letter_mouths = r"(?:[DPpOoSsbX3]+)(?!\w)"
    bracket_mouths = r"(?:[)\]}]+|[(\[{]+|[/\\|*$@]|>)"
    western = f"{eyes}{tear}{nose}(?:{bracket_mouths}|{letter_mouths})"
    # `D:` style and reversed smileys are too ambiguous in plain text to include.
    letters = r"(?<!\w)(?:[xX][DdPp]+|[xX]-?[D]+)(?!\w)"
    hearts = r"</?3+(?!\d)"
    kaomoji = (r"(?<!\w)(?:\^_*\^|\^\.\^|-_+-|[oO0]_[oO0]|T_T|>_<|>\.<|;_;|"
               r"\(\^_?\^\)|\\o/|¯\\_\(ツ\)_/¯)(?!\w)")
    return "|".join([western, letters, hearts, kaomoji])


EMOTICON_PATTERN = _emoticon_pattern()
# Runs of sentence punctuation are one token; other symbols stand alone. Emoji bases and
# invisible joiners are excluded here, the emoji alternative has already had its chance.
_PUNCT = (r"[!?.]+|…+|"
          r"[^\w\s\ufe0e\ufe0f\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u206f\u20e3\U000e0000-\U000e007f]")
_HASHTAG = r"(?<!\w)#\w*[^\W\d_]\w*"
_MENTION = r"(?<!\w)@\w+"
_NUMBER = r"\d+(?:[.,:]\d+)*(?!\w)"
_WORD = r"\w+(?:['’]\w+)*"

# Five capture groups: (url)(emoji)(face)(needs normalising)(punctuation). `findall` returns
# a 5-tuple per token, which is the cheapest way to learn the token's kind in CPython.
# Punctuation comes last so `#` and `@` are tried as hashtag and mention first.
# Three guards make it ~2x faster on tweets (benchmarks/featurize.py) and change no match:
# a leading `\s*` eats the spaces before a token inside the same attempt (a space would
# otherwise fail all five alternatives first); the emoji alternative is only tried at a
# character that can start one (non-ASCII, `#`, `*` or a digit for keycaps), since testing
# an ASCII letter against its long astral character class is slow; and the faces only at
# a character some face or placeholder starts with.
_EMOJI_START = r"(?=[^\x00-\x22\x24-\x29\x2b-\x2f\x3a-\x7f])"
_FACE_START = r"(?=[<:;=xX^\-oO0T>\\(¯])"
TOKEN_RE = re.compile(
    f"\\s*(?:({_URL})|({_EMOJI_START}(?:{EMOJI_PATTERN}))|({_FACE_START}(?:{_PLACEHOLDER}|{EMOTICON_PATTERN}))"
    f"|({_HASHTAG}|{_MENTION}|{_NUMBER}|{_WORD})|({_PUNCT}))"
)
_REPEAT_RE = re.compile(r"(\w)\1{3,}")


@dataclass(frozen=True)
class TweetTokenizer:
    """Configurable tweet tokenizer; `tokenize(text)` gives a list of string tokens.

    Attributes:
        lowercase: lowercase words, hashtags and kept URLs/mentions (never emoticons:
            `:D` and `:d` are not the same face).
        placeholders: URLs -> `<url>`, mentions -> `<user>`, numbers -> `<number>`.
        shorten_repeats: `soooooo` -> `sooo` (at most 3 repeats, DeepMoji's convention);
            applied to words and hashtags.
        keep_hashtags: `#SundayFunday` is one token `#sundayfunday`; when False it becomes
            the two tokens `#` and `sundayfunday`.
        keep_emojis: keep emoji tokens; when False they are dropped.
    """

    lowercase: bool = True
    placeholders: bool = True
    shorten_repeats: bool = False
    keep_hashtags: bool = True
    keep_emojis: bool = True

    def tokenize(self, text: str) -> list[str]:
        """Split one tweet into tokens."""
        return self._scan(text, None)

    def tokenize_with_emojis(self, text: str) -> tuple[list[str], list[str]]:
        """The tokens, and every emoji the scan matched as written (variation selectors kept)."""
        emojis: list[str] = []
        return self._scan(text, emojis), emojis

    def _scan(self, text: str, emojis: list[str] | None) -> list[str]:
        out: list[str] = []
        append = out.append
        lower, placeholders, shorten = self.lowercase, self.placeholders, self.shorten_repeats
        for url, emo, face, other, punct in TOKEN_RE.findall(text):
            if punct or face:
                append(punct or face)
            elif other:
                first = other[0]
                if first == "#":
                    tag = other.lower() if lower else other
                    if shorten:
                        tag = _REPEAT_RE.sub(r"\1\1\1", tag)
                    if self.keep_hashtags:
                        append(tag)
                    else:
                        append("#")
                        append(tag[1:])
                elif first == "@":
                    append(USER_TOKEN if placeholders else (other.lower() if lower else other))
                elif placeholders and first.isdigit() and _is_number(other):
                    append(NUMBER_TOKEN)
                else:
                    word = other.lower() if lower else other
                    append(_REPEAT_RE.sub(r"\1\1\1", word) if shorten else word)
            elif emo:
                if emojis is not None:
                    emojis.append(emo)
                if self.keep_emojis:
                    append(canonical_emoji(emo))
            else:
                append(URL_TOKEN if placeholders else (url.lower() if lower else url))
        return out

    __call__ = tokenize


def _is_number(token: str) -> bool:
    # Tokens starting with a digit are numbers unless the word pattern took them (`5pm`).
    return token.isdigit() or not any(c.isalpha() or c == "_" for c in token)


_DEFAULT = TweetTokenizer()


def tokenize(text: str, **kw: Any) -> list[str]:
    """Tokenize with a `TweetTokenizer(**kw)`; the default tokenizer is reused."""
    return (TweetTokenizer(**kw) if kw else _DEFAULT).tokenize(text)
