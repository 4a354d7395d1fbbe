"""Hyper-parameters of the hashtag generators, and the token ids they rely on.

One dataclass covers every generator of the two hashtag papers; switches pick the
variant:

- plain SEQ2SEQ (post only): the defaults;
- SEQ2SEQ-COPY: `copy=True` (needs one vocabulary for source and target);
- SEQ2SEQ-Emoji / SEQ2SEQ-Word: `fusion_dim=2304`, a frozen encoder's vector is fed in;
- conversation models (`conversation=True`):
    - `use_post=False`: SEQ2SEQ (conv only), the conversation is the only input;
    - `bi_attention=False`: SEQ2SEQ (post+conv), one encoder reads the post followed by
      its conversation;
    - otherwise the dual encoder with bi-attention; `attend_post` / `attend_conv` choose
      what the decoder attends over: both = full model, one = the "post-att only" /
      "conv-att only" ablations of the conversation paper's table 6.
"""

from __future__ import annotations

from dataclasses import dataclass

# The same ids as components.text.vocab; repeated here so generators stand alone.
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


@dataclass
class Seq2SeqConfig:
    """Sizes default to both papers' settings (embeddings 200, 2-layer Bi-GRU 300).

    The conversation shares the post's vocabulary (`src_vocab`) and embedding table,
    as the conversation paper says all inputs and hashtags share one vocabulary.
    """

    src_vocab: int
    tgt_vocab: int
    share_embeddings: bool = False  # decoder reuses the source embedding table
    embed_dim: int = 200
    hidden: int = 300  # per direction in the encoder; the decoder GRU's size
    enc_layers: int = 2
    dropout: float = 0.1
    copy: bool = False
    fusion_dim: int = 0  # size of an external frozen encoder's vector; 0 = none
    input_feed: bool = True  # previous attentional context is part of the decoder input
    init_uniform: float = 0.1  # both papers: uniform in [-0.1, 0.1]; 0 keeps torch's init
    conversation: bool = False
    use_post: bool = True
    bi_attention: bool = True
    attend_post: bool = True
    attend_conv: bool = True

    def __post_init__(self) -> None:
        if (self.share_embeddings or self.copy) and self.src_vocab != self.tgt_vocab:
            what = "copy" if self.copy else "share_embeddings"
            raise ValueError(f"{what} needs src_vocab == tgt_vocab "
                             f"(got {self.src_vocab} and {self.tgt_vocab})")
        if self.fusion_dim < 0:
            raise ValueError(f"fusion_dim must be >= 0, got {self.fusion_dim}")
        if self.dual and not (self.attend_post or self.attend_conv):
            raise ValueError("the dual encoder needs attend_post or attend_conv")

    @property
    def dual(self) -> bool:
        """True for the dual encoder with bi-attention (the conversation paper's model)."""
        return self.conversation and self.use_post and self.bi_attention

    @property
    def memory_dim(self) -> int:
        """Size of each memory vector the decoder attends over (Bi-GRU outputs)."""
        return 2 * self.hidden
