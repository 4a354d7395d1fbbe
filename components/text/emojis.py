"""Emoji helpers: find, strip, name and recognise emojis in tweet text.

Two definitions of "an emoji" live here, on purpose:

* the `emoji` package's list (fully-qualified RGI emojis and their unqualified forms) is
  the authority for *what* counts as an emoji (`extract_emojis`, `remove_emojis`, ...);
* `EMOJI_PATTERN` is a structural regex (base pictograph, optional variation selector and
  skin tone, ZWJ-joined; flags; keycaps; tag sequences) that the tokenizer compiles into
  its single big regex, because scanning with the package's trie costs a Python call per
  character. Its base characters are taken from the package's data, so the two agree on
  every RGI emoji; the regex additionally keeps non-RGI ZWJ combinations whole.
"""

from __future__ import annotations

import re

import emoji

# Invisible joiners and selectors that remain in text after emojis are cut out
# (TweetEval keeps a lone U+FE0F where each label emoji used to be).
ZWJ = "\u200d"
VS15, VS16 = "\ufe0e", "\ufe0f"
KEYCAP = "\u20e3"
INVISIBLE_LEFTOVERS = "\ufe0e\ufe0f\u200d\u20e3"

_SKIN_TONES = "\U0001f3fb-\U0001f3ff"
_REGIONAL = "\U0001f1e6-\U0001f1ff"
_TAGS = "\U000e0020-\U000e007e"
_TAG_END = "\U000e007f"
# Pictograph blocks are added whole so emojis newer than the installed `emoji` release
# still come out as one token instead of being dropped as unmatched characters.
_PICTOGRAPH_BLOCKS = [(0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF),
                      (0x1F900, 0x1F9FF), (0x1FA70, 0x1FAFF)]


def _char_class_body(codepoints: set[int]) -> str:
    """Compress code points into `a-b` ranges for a regex character class."""
    parts: list[str] = []
    points = sorted(codepoints)
    start = prev = points[0]
    for cp in points[1:] + [-1]:
        if cp == prev + 1:
            prev = cp
            continue
        lo, hi = re.escape(chr(start)), re.escape(chr(prev))
        parts.append(lo if start == prev else f"{lo}-{hi}")
        start = prev = cp
    return "".join(parts)


def _base_codepoints() -> set[int]:
    """Characters that can start (or be a ZWJ component of) an emoji."""
    cps = {ord(c) for e in emoji.EMOJI_DATA for c in e}
    for lo, hi in _PICTOGRAPH_BLOCKS:
        cps.update(range(lo, hi + 1))
    # ASCII keycap bases, joiners, selectors, tags and flag letters are handled by their
    # own sub-patterns; as bases they would turn every digit into an emoji.
    excluded = {ord(c) for c in "#*0123456789" + INVISIBLE_LEFTOVERS}
    excluded |= set(range(0x1F1E6, 0x1F200)) | set(range(0xE0020, 0xE0080))
    return cps - excluded


EMOJI_BASE_CLASS = "[" + _char_class_body(_base_codepoints()) + "]"
_ELEMENT = f"{EMOJI_BASE_CLASS}[{VS15}{VS16}]?[{_SKIN_TONES}]?{VS16}?"
#: One emoji sequence, most specific alternative first (no capturing groups, so it can be
#: embedded in other patterns).
EMOJI_PATTERN = "|".join([
    f"[{_REGIONAL}]{{2}}",                                  # flag: two regional letters
    f"[#*0-9]{VS16}?{KEYCAP}",                              # keycap 1️⃣
    f"\U0001f3f4[{_TAGS}]+{_TAG_END}",                      # subdivision flag 🏴󠁧󠁢󠁳󠁣󠁴󠁿
    f"{_ELEMENT}(?:{ZWJ}{_ELEMENT})*",                      # 👩🏽‍💻, ❤️, 😂
    f"[{_REGIONAL}]",                                       # a lone flag letter
])
EMOJI_RE = re.compile(EMOJI_PATTERN)

_LEFTOVER_RE = re.compile(f"[{INVISIBLE_LEFTOVERS}]")
_SPACES_RE = re.compile(r"\s+")
_NAME_DELIM = "\x00"


def canonical_emoji(e: str) -> str:
    """`e` without variation selectors, so `❤️` and `❤` are one emoji.

    Tweets write both forms of many emojis, and TweetEval's labels use the bare one (`❤`,
    `☀`); every selector-bearing emoji of the `emoji` package also exists bare.
    """
    return e.replace(VS16, "").replace(VS15, "") if (VS16 in e or VS15 in e) else e


def extract_emojis(text: str, canonical: bool = True) -> list[str]:
    """Emojis of `text` in order of appearance, repeats kept (`😂😂` gives two).

    With `canonical` (the default, and what the tokenizer emits) each emoji is given
    without variation selectors; see `canonical_emoji`.
    """
    found = [m["emoji"] for m in emoji.emoji_list(text)]
    return [canonical_emoji(e) for e in found] if canonical else found


def _collapse_spaces(text: str) -> str:
    return _SPACES_RE.sub(" ", text).strip()


def remove_emojis(text: str) -> str:
    """`text` without emojis, stray joiners/variation selectors, or doubled spaces."""
    return _collapse_spaces(_LEFTOVER_RE.sub("", emoji.replace_emoji(text, replace="")))


def emoji_name(e: str) -> str:
    """The words of an emoji's CLDR short name: `😂` -> `face with tears of joy`.

    A non-RGI combination (or several emojis) gives its parts' names joined by spaces;
    a string with no emoji gives "".
    """
    marked = emoji.demojize(e, delimiters=(_NAME_DELIM, _NAME_DELIM))
    # Odd fields of the split are names; even fields are what lay between emojis.
    names = marked.split(_NAME_DELIM)[1::2]
    return " ".join(n.replace("_", " ") for n in names if n)


def demojize_text(text: str) -> str:
    """Each emoji replaced by its name words, space separated from its neighbours.

    `"so good😂"` -> `"so good face with tears of joy"`.
    """
    replaced = emoji.replace_emoji(text, replace=lambda e, _data: f" {emoji_name(e)} ")
    return _collapse_spaces(_LEFTOVER_RE.sub("", replaced))


def is_emoji(token: str) -> bool:
    """Whether `token` is exactly one emoji (RGI, or a ZWJ chain of emojis)."""
    if not token:
        return False
    if emoji.is_emoji(token):
        return True
    return EMOJI_RE.fullmatch(token) is not None and emoji.purely_emoji(token)
