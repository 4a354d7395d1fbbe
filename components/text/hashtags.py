"""Hashtags: find and strip them in text, and split a hashtag into its words.

Segmentation (`#NBAFinals2023` -> `nba finals 2023`, `#sundayfunday` -> `sunday funday`):

1. split on underscores, then at case and digit boundaries (the writer's own spacing);
2. chunks with no case information (all lower or all upper case, or a lone Titlecase
   chunk such as `Sundayfunday`) are segmented by dynamic programming: the most probable
   word sequence under a unigram model, where an unknown string `w` has probability
   10 / (N * 10^len(w)) (Norvig's estimate: unknown words are allowed, long ones are rare);
3. a known word that people more often write as two words (`losangeles` glued 7 times in
   TweetEval's plain text, `los angeles` 2,315 times) is a *compound*: it is split into those
   two words wherever it comes out of step 2 (`summertime`, glued 29 times and apart 21, stays).

The unigram model is the project's own tweets (`HashtagSegmenter.from_corpus`) plus a small
built-in list of common English words, so nothing needs downloading.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from components.text.tokenizer import TweetTokenizer

# A hashtag is `#` + word characters with at least one letter, not glued to a preceding
# word (`a#b`, `&#39;`). URLs are matched first so their `#anchor` is never a hashtag.
_URL_OR_HASHTAG_RE = re.compile(
    r"((?:https?://|www\.)\S+)|(?<![\w&#])#(\w*[^\W\d_]\w*)")
_SPACES_RE = re.compile(r"\s+")
_SPLIT_RE = re.compile(r"[\W_]+")

MAX_WORD_LEN = 20
# One-letter "words" in tweets are mostly initials and fragments; as cheap fillers they
# would let the segmenter shred every unknown word, so only real ones are known.
_ONE_LETTER_WORDS = frozenset("ai")


def extract_hashtags(text: str) -> list[str]:
    """Hashtags of `text` without `#`, original case, in order, repeats kept."""
    return [m.group(2) for m in _URL_OR_HASHTAG_RE.finditer(text) if m.group(2)]


def remove_hashtags(text: str) -> str:
    """`text` without its hashtags (URLs untouched), spaces collapsed."""
    kept = _URL_OR_HASHTAG_RE.sub(lambda m: m.group(1) or " ", text)
    return _SPACES_RE.sub(" ", kept).strip()


def _char_kind(c: str) -> str:
    if c.isdigit():
        return "D"
    if c.isupper():
        return "U"
    if c.islower():
        return "L"
    return "O"  # a letter without case (CJK, Thai, ...)


def case_chunks(part: str) -> list[str]:
    """Split at lower->Upper, letter<->digit, cased<->uncased, and `ABCDef` -> `ABC Def`."""
    chunks: list[str] = []
    start = 0
    kinds = [_char_kind(c) for c in part]
    for i in range(1, len(part)):
        prev, cur = kinds[i - 1], kinds[i]
        boundary = (
            (prev == "D") != (cur == "D")
            or (prev == "L" and cur == "U")
            or ((prev in "UL") != (cur in "UL"))
            or (prev == "U" and cur == "U" and i + 1 < len(part) and kinds[i + 1] == "L")
        )
        if boundary:
            chunks.append(part[start:i])
            start = i
    if part:
        chunks.append(part[start:])
    return chunks


@dataclass
class HashtagSegmenter:
    """Unigram hashtag segmenter.

    Attributes:
        word_counts: corpus word counts (lowercase); added to the built-in list.
        use_builtin: add the built-in common-English counts.
        max_word_len: longest word the dynamic program considers.
    """

    word_counts: Mapping[str, int] = field(default_factory=dict)
    use_builtin: bool = True
    max_word_len: int = MAX_WORD_LEN
    compounds: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # "losangeles": ("los", "angeles")

    def __post_init__(self) -> None:
        counts: Counter[str] = Counter(builtin_word_counts() if self.use_builtin else {})
        for word, n in self.word_counts.items():
            word = word.lower()
            if n > 0 and (len(word) > 1 or word in _ONE_LETTER_WORDS):
                counts[word] += int(n)
        total = max(sum(counts.values()), 1)
        log_total = math.log(total)
        self._logp = {w: math.log(n) - log_total for w, n in counts.items()}
        self._unknown_base = math.log(10.0) - log_total
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_corpus(cls, texts: Iterable[str], min_count: int = 2, use_builtin: bool = True,
                    tokenizer: TweetTokenizer | None = None) -> HashtagSegmenter:
        """Count the plain words of `texts` (hashtags excluded: `sundayfunday` must not
        become a known word) and build a segmenter on them.

        `min_count` drops typos and one-off concatenations seen only once. Words are split
        the way hashtags are (`Joe's-LosAngeles` counts `los` and `angeles`), so the
        writer's own case boundaries are not learnt as one long word.
        """
        tok = tokenizer or TweetTokenizer(lowercase=False, placeholders=True)
        counts: Counter[str] = Counter()
        runs: list[list[str]] = []  # plain lower-cased words in a row, for the compounds
        for text in texts:
            run: list[str] = []
            for token in tok.tokenize(text):
                if token[0] in "#<@":  # hashtags and placeholders are not words
                    runs.append(run)
                    run = []
                    continue
                if token.isalpha() and (token.islower() or token[1:].islower()):
                    counts[token.lower()] += 1  # the common case, without the splitting
                    run.append(token.lower())
                    continue
                runs.append(run)
                run = []
                for part in _SPLIT_RE.split(token.replace("'", "").replace("’", "")):
                    for chunk in case_chunks(part):
                        if chunk.isalpha():
                            counts[chunk.lower()] += 1
            runs.append(run)
        kept = {w: n for w, n in counts.items() if n >= min_count}
        return cls(kept, use_builtin=use_builtin, compounds=compounds_from_runs(runs, kept, min_count))

    def log_prob(self, word: str) -> float:
        """Unigram log-probability of `word`, with the unknown-word estimate."""
        known = self._logp.get(word)
        if known is not None:
            return known
        return self._unknown_base - len(word) * math.log(10.0)

    def split_words(self, text: str) -> list[str]:
        """Most probable segmentation of a lowercase letter string (Viterbi)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        n = len(text)
        best = [0.0] + [-math.inf] * n
        back = [0] * (n + 1)
        for end in range(1, n + 1):
            for start in range(max(0, end - self.max_word_len), end):
                score = best[start] + self.log_prob(text[start:end])
                # `>` keeps the earliest (longest first word) split among exact ties.
                if score > best[end]:
                    best[end], back[end] = score, start
        words: list[str] = []
        end = n
        while end > 0:
            words.append(text[back[end]:end])
            end = back[end]
        words.reverse()
        words = [part for w in words for part in self._split_compound(w)]
        self._cache[text] = words
        return words

    def _split_compound(self, word: str) -> list[str]:
        parts = self.compounds.get(word)
        return [word] if parts is None else [p for part in parts for p in self._split_compound(part)]

    def segment(self, tag: str) -> list[str]:
        """Lowercase words of a hashtag (`#` optional): `#SundayFunday` -> sunday, funday."""
        words: list[str] = []
        for part in _SPLIT_RE.split(tag):
            chunks = case_chunks(part)
            for chunk in chunks:
                letters = not chunk[0].isdigit()
                no_case_info = chunk.islower() or chunk.isupper() or (
                    len(chunks) == 1 and chunk[1:].islower())
                if letters and no_case_info and len(chunk) > 1:
                    words.extend(self.split_words(chunk.lower()))
                else:
                    words.append(chunk.lower())
        return words


def compounds_from_runs(runs: Iterable[list[str]], known: Mapping[str, int],
                        min_count: int = 2) -> dict[str, tuple[str, str]]:
    """Known words written apart at least `min_count` times and at least as often as glued:
    {"losangeles": ("los", "angeles")}; of several splits, the most written one. Both parts
    have 3 letters or more: a glued form next to a short function word is mostly a word of
    its own or a name (`toby` / "to by", `drinkin` / "drink in", `tryon` / "try on")."""
    pairs: Counter[tuple[str, str]] = Counter()
    for run in runs:
        for a, b in zip(run, run[1:], strict=False):  # neighbours: one shorter on purpose
            if len(a) >= 3 and len(b) >= 3 and a + b in known:
                pairs[a, b] += 1
    out: dict[str, tuple[str, str]] = {}
    for (a, b), n in pairs.items():
        glued = a + b
        if n >= max(min_count, known[glued]) and n > pairs.get(out.get(glued, ("", "")), 0):
            out[glued] = (a, b)
    return out


_DEFAULT: HashtagSegmenter | None = None


def segment_hashtag(tag: str, segmenter: HashtagSegmenter | None = None) -> list[str]:
    """Words of `tag`; without a segmenter, the built-in word list alone is used."""
    global _DEFAULT
    if segmenter is None:
        if _DEFAULT is None:
            _DEFAULT = HashtagSegmenter()
        segmenter = _DEFAULT
    return segmenter.segment(tag)


def builtin_word_counts() -> dict[str, int]:
    """Zipf-style counts (ZIPF_TOP / rank) for the built-in list below.

    Crude, but the segmenter only needs common words to be likelier than rare ones;
    corpus counts are added on top when a corpus is available.
    """
    counts: dict[str, int] = {}
    for word in _BUILTIN_WORDS:
        word = word.replace("'", "")
        if word not in counts:
            counts[word] = max(1, ZIPF_TOP // (len(counts) + 1))
    return counts


ZIPF_TOP = 100_000
# Common English words, then words hashtags are made of, roughly by decreasing frequency.
_BUILTIN_WORDS = """
the of and to a in is i you that it for on with was my me this be are at have not
so just all but we your can do like love what up out no if get will one now day
from they he about go by good know how new time as or don't i'm it's when there more
an our see back today people got had has her his she him them their them who make
would been were us very really think want need going way much still too well here
only some then should never right great happy life world best thank thanks come
night year last first better work over off little take let say feel girl man always
every real look why could because after any home last friends family live long show
help free god big game nothing before school next things keep give tonight other
into where something ever which again lol old fun morning weekend week tomorrow
party yes watch baby beautiful lot friend music song video photo pic picture food
birthday christmas summer winter spring fall sun beach water city team win play
sunday monday tuesday wednesday thursday friday saturday funday throwback
follow news black white red blue green pink gold gym fitness health style fashion
art design travel trip vacation holiday weekend love life lovely cute smile hair
makeup beauty nails coffee tea wine beer drink eat dinner lunch breakfast brunch
pizza cake chocolate sweet hot cold fire light dark star stars sky moon rain snow
nature flowers flower tree sea ocean lake mountain park road car home house room
church sport sports football soccer basketball baseball hockey golf run running race
fight strong fit body mind soul heart dream dreams goal goals hope faith peace joy
blessed grateful thankful motivation inspiration quote quotes success business money
job work hard working proud happy sad angry funny crazy wild cool awesome amazing
perfect nice pretty fresh clean green healthy vegan organic local shop sale store
market street town country state world america american usa nyc la london paris
york los angeles california texas florida chicago miami vegas beach hollywood
girls boys kids kid mom dad mother father sister brother wife husband son daughter
family friends bff crew squad wedding bride anniversary graduation class
college university student teacher book books read reading write writing story
movie movies film tv show series episode season finale live concert tour festival
dance dancing sing singer band rock pop rap country jazz guitar dj radio
selfie insta
repost regram me myself mood vibes weekend vibes
hair day night morning evening afternoon today tonight tomorrow yesterday forever
always never ever again back home away together alone family time moment memories
memory old new young little big small first last best worst good bad better
happy new year valentines easter halloween thanksgiving mothers fathers day
independence memorial labor st patricks eve birthday bday party celebrate
celebration cheers congrats congratulations welcome hello goodbye love you
thank you so much yes no maybe please sorry wow omg lol haha yay hey hi oh
feeling feel feels look looks looking see seen watching watched went go going gone
come coming came made make making done doing did do get got getting take taking took
put keep kept start started end ending final finally win won winning lose lost
open opening close closing grand sale shopping shoes dress outfit ootd wear
season seasons spring summer autumn fall winter hot sunny rainy cloudy snowy weather
state fair farm garden yard pool lake river island bay hill valley desert forest
camp camping hike hiking bike biking yoga workout training coach player players
fans fan nation league champions championship cup bowl super final finals playoffs
game day sunset sunrise view views skyline landscape architecture
photography photographer model modeling artist painting drawing tattoo ink
""".split()
