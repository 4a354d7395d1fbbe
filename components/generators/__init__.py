"""Hashtag generators: Bi-GRU encoder(s), bi-attention, attentive GRU decoder (optional
copy), and beam search; the SEQ2SEQ family of the emoji-hashtag and conversation papers."""

from components.generators.attention import (
    BiAttention,
    BiAttentionOutput,
    BilinearAttention,
    Memory,
    masked_softmax,
)
from components.generators.beam_search import (
    Hypothesis,
    beam_search,
)
from components.generators.config import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Seq2SeqConfig
from components.generators.decoder import AttentiveGRUDecoder, DecoderState
from components.generators.encoder import BiGRUEncoder, EncoderOutput, length_mask
from components.generators.objective import Seq2SeqObjective, generate
from components.generators.seq2seq import Seq2Seq, concat_padded, seq2seq_loss

__all__ = [
    "BOS_ID", "EOS_ID", "PAD_ID", "UNK_ID",
    "AttentiveGRUDecoder", "BiAttention", "BiAttentionOutput", "BiGRUEncoder",
    "BilinearAttention", "DecoderState", "EncoderOutput", "Hypothesis", "Memory",
    "Seq2Seq", "Seq2SeqConfig", "Seq2SeqObjective", "beam_search", "concat_padded", "generate",
    "length_mask", "masked_softmax", "seq2seq_loss",
]
