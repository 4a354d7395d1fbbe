"""DeepMoji's published weights (torchMoji's `pytorch_model.bin`) loaded into our encoder.

    model = load_torchmoji(published_weights_path())   # EMOJITAGS_DEEPMOJI_WEIGHTS=/path/pytorch_model.bin

torchMoji's state dict names its layers `embed`, `lstm_0`, `lstm_1`, `attention_layer`,
`output_layer.0`; its LSTMs use Keras's hard-sigmoid gates (so the encoder is built with
`gates="hard_sigmoid"`), and its attention reads [lstm_1; lstm_0; embedding] where ours reads
[embedding; lstm1; lstm2], so the attention vector and the softmax layer's columns are permuted
on the way in. The file is read with `weights_only=True`: tensors, never code. Its ids are those of
torchMoji's 50,000-token vocabulary (`deepmoji_benchmarks/vocabulary.json`, 0 = padding).

Where the file comes from: a path given, else $EMOJITAGS_DEEPMOJI_WEIGHTS, else (`download_to`) a
copy downloaded once from torchMoji's origin. A download lands whole or not at all (a `.part` file,
checked for torchMoji's size floor and key layout, then renamed), its sha256 is written beside it
and checked on every later use, and $EMOJITAGS_DEEPMOJI_SHA256 pins the expected digest of any file.
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import torch

from components.data.errors import DataError
from components.data.files import cached_sha256

from .model import DeepMojiEncoder, EmojiEncoderConfig
from .tokenizer import SPECIALS, DeepMojiTokenizer

WEIGHTS_ENV, SHA256_ENV = "EMOJITAGS_DEEPMOJI_WEIGHTS", "EMOJITAGS_DEEPMOJI_SHA256"
# where torchMoji's scripts/download_weights.py fetches the file (about 85 MB); dl=1 is the file itself
ORIGIN = "https://www.dropbox.com/s/q8lax9ary32c7t9/pytorch_model.bin?dl=0"
DOWNLOAD_URL = ORIGIN.replace("dl=0", "dl=1")
MIN_BYTES = 80 << 20  # torchMoji's own check that a download is the model, not an error page

_LSTM = [f"{kind}_{suffix}" for suffix in ("l0", "l0_reverse")
         for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
# torchMoji key -> ours, in the order a layout check reports the first missing one
KEY_MAP = {"embed.weight": "embed.weight",
           **{f"lstm_0.{p}": f"lstm1.{p}" for p in _LSTM},
           **{f"lstm_1.{p}": f"lstm2.{p}" for p in _LSTM},
           "attention_layer.attention_vector": "attention.vector",
           "output_layer.0.weight": "head.weight", "output_layer.0.bias": "head.bias"}


class PublishedWeightsError(DataError, ValueError):
    """The weights file is missing, or is not torchMoji's layout or the pinned file (a DataError:
    the command line reports it in one line, before anything is tracked)."""


def published_weights_path(path: str | os.PathLike | None = None, *, download_to: str | os.PathLike | None = None,
                           url: str = DOWNLOAD_URL, min_bytes: int = MIN_BYTES) -> Path:
    """`path`, else $EMOJITAGS_DEEPMOJI_WEIGHTS, else the copy at `download_to` (downloaded from `url`
    the first time); a clear one-line error when none of them gives a file."""
    given = path or os.environ.get(WEIGHTS_ENV)
    if given:
        if not Path(given).is_file():
            raise PublishedWeightsError(f"{given}: no such weights file (given as a path or by {WEIGHTS_ENV})")
        return Path(given)
    if download_to is None:
        raise PublishedWeightsError(f"DeepMoji's published weights are needed: set {WEIGHTS_ENV} to torchMoji's "
                                    f"pytorch_model.bin (download it from {ORIGIN})")
    dest = Path(download_to)
    if not dest.is_file():
        download_weights(dest, url, min_bytes)
    recorded = _sidecar(dest).read_text().strip() if _sidecar(dest).is_file() else None
    if recorded != (actual := cached_sha256(dest)):
        raise PublishedWeightsError(f"{dest}: sha256 {actual} is not the one recorded at its download "
                                    f"({recorded}); delete it to download it again")
    return dest


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def download_weights(dest: Path, url: str = DOWNLOAD_URL, min_bytes: int = MIN_BYTES) -> Path:
    """Download torchMoji's file to `dest`: whole, checked (size, key layout, $EMOJITAGS_DEEPMOJI_SHA256
    if set), its sha256 recorded beside it; a partial download is never left under `dest`'s name."""
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            dest.parent.mkdir(parents=True, exist_ok=True)  # only once the origin answers
            with open(part, "wb") as out:
                shutil.copyfileobj(response, out, 1 << 20)
    except (urllib.error.URLError, OSError) as e:
        part.unlink(missing_ok=True)
        reason = getattr(e, "reason", e)
        raise PublishedWeightsError(f"DeepMoji's published weights are needed and {url} cannot be read ({reason}): "
                                    f"set {WEIGHTS_ENV} to torchMoji's pytorch_model.bin") from None
    try:
        if (size := part.stat().st_size) < min_bytes:
            raise PublishedWeightsError(f"{url}: the download is {size} bytes, under the {min_bytes} of "
                                        f"torchMoji's model (an error page?)")
        load_torchmoji(part)  # its layout, before it takes the final name
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    _sidecar(dest).write_text(cached_sha256(part) + "\n")
    os.replace(part, dest)
    return dest


# torchMoji's placeholders (ids 0-4) are ours under other names; ids 5-9 stay unused tokens
TORCHMOJI_SPECIALS = ("CUSTOM_MASK", "CUSTOM_UNKNOWN", "CUSTOM_AT", "CUSTOM_URL", "CUSTOM_NUMBER")


def torchmoji_tokenizer(vocabulary: dict[str, int], max_len: int = 30) -> DeepMojiTokenizer:
    """Our tokenizer over torchMoji's vocabulary (token -> id), each token keeping its id.
    Our tokenizer, not torchMoji's: the ids match, the splitting of rare forms may not."""
    by_id = sorted(vocabulary.items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))):
        raise PublishedWeightsError("vocabulary ids must be 0..n-1 without gaps or repeats")
    tokens = [t for t, _ in by_id]
    if tuple(tokens[:len(SPECIALS)]) != TORCHMOJI_SPECIALS:
        raise PublishedWeightsError(f"vocabulary must start with {TORCHMOJI_SPECIALS}, got {tokens[:5]}")
    return DeepMojiTokenizer(max_len=max_len, vocab_size=len(tokens), vocab=list(SPECIALS) + tokens[len(SPECIALS):])


def _to_ours(state: dict[str, torch.Tensor], embed_dim: int, hidden: int) -> dict[str, torch.Tensor]:
    def permute(t: torch.Tensor) -> torch.Tensor:  # last axis [l1 (2H), l0 (2H), emb (E)] -> [emb, l0, l1]
        two_h = 2 * hidden
        return torch.cat([t[..., 2 * two_h:2 * two_h + embed_dim], t[..., two_h:2 * two_h], t[..., :two_h]], dim=-1)

    ours = {KEY_MAP[k]: v for k, v in state.items()}
    ours["attention.vector"] = permute(ours["attention.vector"])
    ours["head.weight"] = permute(ours["head.weight"])
    return ours


def load_torchmoji(path: str | os.PathLike, sha256: str | None = None) -> DeepMojiEncoder:
    """The published model as a `DeepMojiEncoder` in eval mode; `sha256` (default:
    $EMOJITAGS_DEEPMOJI_SHA256, if set) pins the file."""
    path = Path(path)
    sha256 = sha256 or os.environ.get(SHA256_ENV) or None
    if sha256 is not None and (actual := cached_sha256(path)) != sha256.lower():
        raise PublishedWeightsError(f"{path}: sha256 {actual} does not match the expected {sha256}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file gets the same one-line answer
        raise PublishedWeightsError(f"{path}: not a torch state dict of tensors ({type(e).__name__}: {e})") from None
    if not isinstance(state, dict):
        raise PublishedWeightsError(f"{path}: holds a {type(state).__name__}, not torchMoji's state dict")
    missing = [k for k in KEY_MAP if k not in state]
    extra = sorted(k for k in state if k not in KEY_MAP)
    if missing or extra:
        first = f"missing key {missing[0]!r}" if missing else f"unexpected key {extra[0]!r}"
        raise PublishedWeightsError(f"{path}: not torchMoji's key layout: {first}")
    vocab_size, embed_dim = state["embed.weight"].shape
    hidden = state["lstm_0.weight_hh_l0"].shape[1]
    n_classes = state["output_layer.0.weight"].shape[0]
    config = EmojiEncoderConfig(int(vocab_size), int(n_classes), int(embed_dim), int(hidden), gates="hard_sigmoid")
    model = DeepMojiEncoder(config)
    expected = model.state_dict()
    ours = _to_ours(state, int(embed_dim), int(hidden))
    for torchmoji_key, key in KEY_MAP.items():
        if ours[key].shape != expected[key].shape:
            raise PublishedWeightsError(f"{path}: {torchmoji_key} has shape {tuple(state[torchmoji_key].shape)}, "
                                        f"expected {tuple(expected[key].shape)} for a {embed_dim}/{hidden} model")
    model.load_state_dict(ours)
    return model.eval()


__all__ = ["DOWNLOAD_URL", "KEY_MAP", "MIN_BYTES", "ORIGIN", "SHA256_ENV", "WEIGHTS_ENV", "PublishedWeightsError",
           "download_weights", "load_torchmoji", "published_weights_path", "torchmoji_tokenizer"]
