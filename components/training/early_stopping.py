"""Early stopping on a monitored validation metric, and the learning rate's plateau schedule."""

from __future__ import annotations

from dataclasses import asdict, dataclass


def _better(value: float, than: float | None, mode: str) -> bool:
    return than is None or (value < than if mode == "min" else value > than)


@dataclass
class EarlyStopping:
    patience: int
    mode: str = "min"  # "min" for a loss, "max" for an accuracy
    best: float | None = None
    best_epoch: int = -1
    bad_epochs: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping.mode must be 'min' or 'max', got {self.mode!r}")

    def update(self, value: float, epoch: int) -> bool:
        """Record an epoch's value; True when it is a new best."""
        better = _better(value, self.best, self.mode)
        if better:
            self.best, self.best_epoch, self.bad_epochs = float(value), epoch, 0
        else:
            self.bad_epochs += 1
        return better

    @property
    def should_stop(self) -> bool:
        return self.bad_epochs >= self.patience

    def state_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict) -> EarlyStopping:
        return cls(**state)


@dataclass
class LRSchedule:
    """Reduce-on-plateau, stepped once per epoch with the monitored value.

    "plateau": multiply the LR by `factor` after `patience` epochs without a new best;
    "worse": whenever the value is worse than the previous epoch's. "constant" never changes
    it. `below_floor` tells the loop to stop once the LR fell under `floor`. The state is
    plain data for the checkpoint, so a resumed run continues the same schedule.
    """

    kind: str = "constant"
    factor: float = 0.5
    patience: int = 1
    floor: float | None = None
    mode: str = "min"
    lr: float = 1e-3
    best: float | None = None
    previous: float | None = None
    bad_epochs: int = 0
    reductions: int = 0

    def step(self, value: float) -> bool:
        """Record an epoch's value; True when the LR was reduced (read the new one from `lr`)."""
        value = float(value)
        reduce = False
        if self.kind == "plateau":
            if _better(value, self.best, self.mode):
                self.best, self.bad_epochs = value, 0
            else:
                self.bad_epochs += 1
                if self.bad_epochs >= self.patience:
                    reduce, self.bad_epochs = True, 0
        elif self.kind == "worse":
            reduce = self.previous is not None and _better(self.previous, value, self.mode)
        self.previous = value
        if reduce:
            self.lr *= self.factor
            self.reductions += 1
        return reduce

    @property
    def below_floor(self) -> bool:
        return self.floor is not None and self.lr < self.floor

    def apply(self, optimizer) -> None:
        for group in optimizer.param_groups:
            group["lr"] = self.lr * group.get("lr_scale", 1.0)

    def state_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict) -> LRSchedule:
        return cls(**state)
