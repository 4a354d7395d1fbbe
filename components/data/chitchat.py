"""Multi-turn English dialogues from the `chitchat-dataset` PyPI package, as emoji examples.

The dialogue-emoji paper uses Weibo dialogues with 10 emojis; no such public set exists,
so the 10 most used emoticons of chitchat-dataset stand in (REPRODUCTION.md, section 5).
A *turn* is one speaker's consecutive messages joined by a space. A reply turn holding
exactly one emoticon occurrence is an example: the emoticon is its label and is cut out,
and the up to 3 turns before it are its context (a dialogue of at most 4 turns). Every
emoticon is also cut from the context, as the paper removes all emojis "for fair
predictions".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DIALOGUE_EMOTICONS: tuple[str, ...] = (":)", "XD", ";)", ":(", ":P", ":D", ":/", "<3", "XP", ":'(")
DIALOGUE_EMOTICON_NAMES: tuple[str, ...] = (
    "smile", "laughing", "wink", "frown", "tongue", "grin", "skeptical", "heart",
    "squinting tongue", "crying")

# sha256 of dataset.json in chitchat-dataset 0.9.0 (the version pyproject pins).
CHITCHAT_SHA256 = "d2a5d0bf6acf354fef51f3af39cbece2220d3b8f6086b658c3d335105798312a"

# Spelling variants folded onto the canonical ten: a nose, a lower-case letter or a
# repeated mouth does not change the emoticon.
_VARIANTS = r"""
    (?P<smile>:-?\)+) | (?P<laughing>[xX][dD]+) | (?P<wink>;-?\)+) | (?P<frown>:-?\(+) |
    (?P<tongue>:-?[pP]) | (?P<grin>:-?D+) | (?P<skeptical>:-?/) | (?P<heart><3+) |
    (?P<squint>[xX][pP]) | (?P<crying>:'-?\(+)
"""
_EMOTICON = re.compile(r"(?<!\S)(?:" + _VARIANTS + r")(?=\s|$|[.,!?])", re.VERBOSE)
_GROUP_TO_LABEL = {"smile": 0, "laughing": 1, "wink": 2, "frown": 3, "tongue": 4, "grin": 5,
                   "skeptical": 6, "heart": 7, "squint": 8, "crying": 9}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DialogueExample:
    dialogue_id: str
    context: tuple[str, ...]  # up to 3 turns, oldest first, emoticons removed
    reply: str                # the reply turn with its emoticon cut out
    label: int                # index into DIALOGUE_EMOTICONS
    speaker: str = ""         # who wrote the reply (chitchat's sender id)


def chitchat_path() -> Path:
    return Path(str(resources.files("chitchat_dataset") / "dataset.json"))


def load_chitchat_dialogues(verify: bool = True, speakers: bool = False) -> dict[str, list]:
    """All conversations as lists of turns (speaker-consecutive messages joined); with
    `speakers`, each turn is a (sender id, text) pair."""
    try:
        path = chitchat_path()
    except ModuleNotFoundError:
        from components.data.errors import DataError
        raise DataError("chitchat-dataset is not installed: `pip install chitchat-dataset==0.9.0` "
                        "(it ships the dialogues as dataset.json)") from None
    if verify:
        from components.data.files import verify_file
        verify_file(path, CHITCHAT_SHA256, "chitchat-dataset dataset.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if speakers:
        return {cid: [(turn[0]["sender"] if turn else "", " ".join(m["text"] for m in turn))
                      for turn in conv["messages"]] for cid, conv in raw.items()}
    return {cid: [" ".join(m["text"] for m in turn) for turn in conv["messages"]]
            for cid, conv in raw.items()}


def find_emoticons(text: str) -> list[int]:
    """Labels of the emoticons in `text`, in order."""
    return [_GROUP_TO_LABEL[m.lastgroup] for m in _EMOTICON.finditer(text)]


def strip_emoticons(text: str) -> str:
    return _SPACES.sub(" ", _EMOTICON.sub(" ", text)).strip()


def dialogue_examples(dialogues: dict[str, list], max_context: int = 3) -> list[DialogueExample]:
    """Turns may be texts or (speaker, text) pairs (`load_chitchat_dialogues(speakers=True)`)."""
    examples = []
    for cid in sorted(dialogues):
        pairs = [t if isinstance(t, tuple) else ("", t) for t in dialogues[cid]]
        turns = [t for _, t in pairs]
        for i, turn in enumerate(turns):
            labels = find_emoticons(turn)
            if len(labels) != 1:
                continue
            reply = strip_emoticons(turn)
            if not reply:  # an emoticon alone says nothing to predict it from
                continue
            context = tuple(strip_emoticons(t) for t in turns[max(0, i - max_context):i])
            examples.append(DialogueExample(cid, context, reply, labels[0], pairs[i][0]))
    return examples
