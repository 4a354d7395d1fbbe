"""Framework-free training pieces: epoch loop, early stopping, checkpoint files.

The orchestration layer runs these in-process or inside Ray Train workers; nothing
here knows which.
"""

from components.training.checkpoints import CheckpointDir
from components.training.early_stopping import EarlyStopping
from components.training.loop import FitProblem, FitSettings, epoch_batches, train_one_epoch
from components.training.objectives import ClassifyObjective

__all__ = ["CheckpointDir", "ClassifyObjective", "EarlyStopping", "FitProblem", "FitSettings", "epoch_batches",
           "train_one_epoch"]
