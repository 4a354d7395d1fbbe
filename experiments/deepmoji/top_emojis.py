"""Each text's five most likely emojis: the quickest look at what an emoji encoder learned.

    python experiments/deepmoji/top_emojis.py "i love you so much" "this is the worst day"
    echo "so tired of this" | python experiments/deepmoji/top_emojis.py --scale cpu
    EMOJITAGS_DEEPMOJI_WEIGHTS=pytorch_model.bin python experiments/deepmoji/top_emojis.py --published "yay"

By default it reads the stand-in encoder `pretrain.py --scale <scale>` cached (its emoji row,
seed 0; trained on TweetEval's 20 emojis); `--published` reads DeepMoji's own weights
(torchMoji's file, 64 emojis, its 50,000-token vocabulary: --weights, $EMOJITAGS_DEEPMOJI_WEIGHTS, or
a copy downloaded once from torchMoji's origin). Texts come from the arguments, or one
per line from standard input. Nothing is trained and nothing is logged.
"""

from __future__ import annotations

import argparse
import sys

import torch

from components.data import deepmoji_vocabulary, deepmoji_wanted_emojis
from components.emoji_encoder import PublishedWeightsError, load_torchmoji, published_weights_path
from components.emoji_encoder.published import torchmoji_tokenizer
from experiments.deepmoji.encoder_stage import encoder_dir, load_pretrained
from experiments.deepmoji.published_stage import weights_file
from experiments.deepmoji.scales import PRETRAIN_SCALES


def stand_in(scale: str):
    """(model, tokenizer, labels) of the cached stand-in encoder; a clear error if none is cached."""
    path = encoder_dir(PRETRAIN_SCALES[scale])
    if not (path / "encoder.pt").is_file():
        sys.exit(f"no cached {scale} encoder at {path}: run python experiments/deepmoji/pretrain.py --scale {scale} first "
                 f"(or pass --published)")
    enc = load_pretrained(path)
    return enc.model, enc.tokenizer, enc.labels


def published(weights: str | None):
    model = load_torchmoji(published_weights_path(weights) if weights else weights_file())
    labels = deepmoji_wanted_emojis()
    if len(labels) != model.config.n_classes:
        sys.exit(f"the weights predict {model.config.n_classes} classes, wanted_emojis.csv lists {len(labels)}")
    return model, torchmoji_tokenizer(deepmoji_vocabulary()), labels


@torch.no_grad()
def top_k(model, tokenizer, labels, texts: list[str], k: int = 5) -> list[list[tuple[str, float]]]:
    ids, lengths = tokenizer.encode(texts)
    probs = torch.softmax(model(torch.as_tensor(ids), torch.as_tensor(lengths)), dim=-1)
    top = probs.topk(min(k, probs.shape[1]), dim=-1)
    return [[(labels[i], float(p)) for p, i in zip(ps, idx, strict=True)]
            for ps, idx in zip(top.values.tolist(), top.indices.tolist(), strict=True)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("texts", nargs="*", help="texts to read (default: one per line from standard input)")
    parser.add_argument("--scale", choices=sorted(PRETRAIN_SCALES), default="cpu", help="the stand-in encoder's scale")
    parser.add_argument("--published", action="store_true", help="DeepMoji's published weights instead")
    parser.add_argument("--weights", help="torchMoji's pytorch_model.bin (default: $EMOJITAGS_DEEPMOJI_WEIGHTS)")
    parser.add_argument("-k", type=int, default=5, help="how many emojis per text")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error(f"-k must be >= 1, got {args.k}")
    texts = args.texts or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    if not texts:
        parser.error("no texts: give them as arguments or on standard input")
    try:
        model, tokenizer, labels = published(args.weights) if args.published or args.weights else stand_in(args.scale)
    except PublishedWeightsError as e:
        sys.exit(f"error: {e}")
    for text, ranked in zip(texts, top_k(model, tokenizer, labels, texts, args.k), strict=True):
        print(f"{text}\n  " + "  ".join(f"{emoji} {p:.1%}" for emoji, p in ranked))


if __name__ == "__main__":
    main()
