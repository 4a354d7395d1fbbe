"""DeepMoji's emoji-pretrained encoder: tokenizer, model, and transfer (chain-thaw) rules.

Plain torch/numpy: orchestration (Ray, MLflow) drives these pieces from outside.
"""

from components.emoji_encoder.model import (
    LAYER_GROUPS,
    AttentionPooling,
    DeepMojiEncoder,
    EmojiEncoderConfig,
    SpatialDropout,
)
from components.emoji_encoder.published import (
    PublishedWeightsError,
    load_torchmoji,
    published_weights_path,
)
from components.emoji_encoder.tokenizer import (
    NUMBER,
    PAD,
    SPECIALS,
    UNK,
    URL,
    USER,
    DeepMojiTokenizer,
    VocabMismatchError,
    hash_tokens,
    shorten_repeats,
    tokenize,
)
from components.emoji_encoder.transfer import (
    DEEPMOJI_THRESHOLDS,
    EMBED_L2,
    TRANSFER_MODES,
    adam_param_groups,
    binary_f1,
    chain_thaw_schedule,
    class_averaged_f1,
    freeze_all_but,
    trainable_groups,
    transfer_lr,
    transfer_steps,
    tune_class_thresholds,
    tune_threshold,
    uses_pretrained,
)

__all__ = [
    "DEEPMOJI_THRESHOLDS", "EMBED_L2", "LAYER_GROUPS", "NUMBER", "PAD", "SPECIALS",
    "TRANSFER_MODES", "UNK", "URL", "USER", "AttentionPooling", "DeepMojiEncoder",
    "DeepMojiTokenizer", "EmojiEncoderConfig", "PublishedWeightsError", "SpatialDropout", "VocabMismatchError",
    "adam_param_groups", "binary_f1", "chain_thaw_schedule", "class_averaged_f1",
    "freeze_all_but", "hash_tokens", "load_torchmoji", "published_weights_path", "shorten_repeats", "tokenize", "trainable_groups",
    "transfer_lr", "transfer_steps", "tune_class_thresholds", "tune_threshold",
    "uses_pretrained",
]
