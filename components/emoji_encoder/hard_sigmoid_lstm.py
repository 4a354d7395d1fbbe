"""A bidirectional LSTM whose gates use Keras's hard sigmoid, as DeepMoji's published weights do.

    lstm = HardSigmoidLSTM(input_size=256, hidden_size=512)
    out = lstm(x, lengths)            # x (N, T, D) padded, out (N, T, 2*hidden), 0 past each length

DeepMoji was trained in Keras, whose LSTM gates are hard_sigmoid(z) = clip(0.2 z + 0.5, 0, 1);
torchMoji kept that so the weights mean the same thing. A plain `nn.LSTM` reading those weights
would compute other gates, so the published model needs this cell. The parameter names are
`nn.LSTM`'s (weight_ih_l0, ..., bias_hh_l0_reverse), the gate order too (input, forget, cell,
output), so one state dict fits either. It steps in Python: for loading and inference, not speed.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return (0.2 * x + 0.5).clamp(0.0, 1.0)


def _reverse_within_lengths(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each row's first `length` steps reversed, padding left where it is."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    idx = torch.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
    return x.gather(1, idx.unsqueeze(-1).expand_as(x))


class HardSigmoidLSTM(nn.Module):
    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        for suffix in ("l0", "l0_reverse"):
            self.register_parameter(f"weight_ih_{suffix}", nn.Parameter(torch.empty(4 * hidden_size, input_size)))
            self.register_parameter(f"weight_hh_{suffix}", nn.Parameter(torch.empty(4 * hidden_size, hidden_size)))
            self.register_parameter(f"bias_ih_{suffix}", nn.Parameter(torch.zeros(4 * hidden_size)))
            self.register_parameter(f"bias_hh_{suffix}", nn.Parameter(torch.zeros(4 * hidden_size)))
        bound = 1.0 / math.sqrt(hidden_size)
        for name, p in self.named_parameters():
            if "weight" in name:
                nn.init.uniform_(p, -bound, bound)

    def _direction(self, x: torch.Tensor, lengths: torch.Tensor, suffix: str) -> torch.Tensor:
        w_ih, w_hh = getattr(self, f"weight_ih_{suffix}"), getattr(self, f"weight_hh_{suffix}")
        bias = getattr(self, f"bias_ih_{suffix}") + getattr(self, f"bias_hh_{suffix}")
        n, steps, _ = x.shape
        h = x.new_zeros(n, self.hidden_size)
        c = x.new_zeros(n, self.hidden_size)
        projected = x @ w_ih.T + bias  # the input half of every gate, all steps at once
        outputs = []
        for t in range(steps):
            i, f, g, o = (projected[:, t] + h @ w_hh.T).chunk(4, dim=1)
            c_new = hard_sigmoid(f) * c + hard_sigmoid(i) * torch.tanh(g)
            h_new = hard_sigmoid(o) * torch.tanh(c_new)
            live = (t < lengths).unsqueeze(1)  # a finished row keeps its state, outputs 0
            c, h = torch.where(live, c_new, c), torch.where(live, h_new, h)
            outputs.append(torch.where(live, h_new, torch.zeros_like(h_new)))
        return torch.stack(outputs, dim=1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        lengths = lengths.to(x.device)
        forward = self._direction(x, lengths, "l0")
        backward = self._direction(_reverse_within_lengths(x, lengths), lengths, "l0_reverse")
        return torch.cat([forward, _reverse_within_lengths(backward, lengths)], dim=-1)


__all__ = ["HardSigmoidLSTM", "hard_sigmoid"]
