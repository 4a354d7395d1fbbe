"""Cosine distances between hashtag vectors, hierarchical clustering, heatmap + dendrogram.

The paper clusters the 30 most frequent hashtags by the cosine distance of their emoji-PPMI
vectors with single linkage, and suggests complete linkage to better capture how the small
clusters relate; Figure 2 is the distance heatmap ordered by the dendrogram.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import dendrogram, fcluster, linkage
from scipy.spatial.distance import squareform

# Centroid, median and ward assume Euclidean distances, which cosine distances are not.
LINKAGE_METHODS = ("single", "complete", "average", "weighted")


def cosine_distances(rows: np.ndarray | sp.spmatrix) -> np.ndarray:
    """(k, k) cosine distances ``1 - u.v / (|u| |v|)`` between the rows of a (k, E) matrix.

    A row of zeros (a hashtag with no positive PPMI) has no direction: it is put at
    distance 1 from every other row and 0 from itself rather than NaN, so clustering still
    runs and such rows join last. The diagonal is exactly 0 and the result symmetric.
    """
    if sp.issparse(rows):
        x = sp.csr_matrix(rows, dtype=np.float64)
        gram = np.asarray((x @ x.T).todense())
    else:
        x = np.asarray(rows, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"rows must be 2-D, got shape {x.shape}")
        gram = x @ x.T
    norms = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    nonzero = norms > 0
    scale = np.where(nonzero, norms, 1.0)
    sim = gram / scale[:, None] / scale[None, :]
    sim[~nonzero, :] = 0.0
    sim[:, ~nonzero] = 0.0
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    dist = (dist + dist.T) / 2.0  # round-off makes the two triangles differ in the last bit
    np.fill_diagonal(dist, 0.0)
    return dist


def hierarchical_clustering(dist: np.ndarray, method: str = "single") -> np.ndarray:
    """SciPy linkage matrix ((k-1, 4)) of a square distance matrix.

    `method` is "single" (the paper's) or "complete" (its suggested fix); "average" and
    "weighted" are accepted too.
    """
    if method not in LINKAGE_METHODS:
        raise ValueError(f"method must be one of {LINKAGE_METHODS}, got {method!r}")
    d = np.asarray(dist, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape[0] < 2:
        raise ValueError(f"dist must be a square matrix of at least 2 points, got {d.shape}")
    if not np.all(np.isfinite(d)):
        raise ValueError("dist contains NaN or infinite values")
    # checks=False: the diagonal may hold round-off, and squareform reads the upper triangle.
    return linkage(squareform(d, checks=False), method=method)


def flat_clusters(linkage_matrix: np.ndarray, n_clusters: int) -> np.ndarray:
    """Cut the tree into at most `n_clusters` clusters; labels 1..n_clusters as SciPy gives."""
    if n_clusters < 1:
        raise ValueError(f"n_clusters must be >= 1, got {n_clusters}")
    return fcluster(linkage_matrix, t=n_clusters, criterion="maxclust")


def plot_heatmap_dendrogram(
    dist: np.ndarray,
    labels: Sequence[str],
    linkage_matrix: np.ndarray,
    title: str,
    path: str | Path,
) -> Path:
    """Save the paper's Figure 2 layout: dendrogram (left), ordered distance heatmap, colorbar.

    Rows and columns are in the dendrogram's leaf order; darker cells are closer hashtags,
    as in the paper. Sized so that 30 labels are readable. Returns the PNG path.
    """
    d = np.asarray(dist, dtype=np.float64)
    n = d.shape[0]
    if d.shape != (n, n) or len(labels) != n:
        raise ValueError(f"dist {d.shape} does not match {len(labels)} labels")
    # A bare Figure on an Agg canvas never touches pyplot's global state (safe in workers).
    height = 2.0 + 0.3 * n
    fig = Figure(figsize=(height + 3.5, height))
    canvas = FigureCanvasAgg(fig)
    fontsize = float(np.clip(300.0 / n, 5.0, 10.0))
    grid = fig.add_gridspec(1, 2, width_ratios=[1.2, 4.0], wspace=0.02,
                            left=0.02, right=0.78, bottom=0.05, top=0.95)
    ax_tree = fig.add_subplot(grid[0, 0])
    ax_heat = fig.add_subplot(grid[0, 1])

    # orientation="left" puts leaf i at y = 10 i + 5 from the bottom; an origin="lower"
    # heatmap puts row i at y = i, so both span the same height and the rows line up.
    tree = dendrogram(linkage_matrix, orientation="left", no_labels=True, ax=ax_tree,
                      color_threshold=0, above_threshold_color="black")
    order = np.asarray(tree["leaves"])
    ax_tree.set_ylim(0, 10 * n)
    ax_tree.set_axis_off()

    vmax = max(1.0, float(d.max()))
    image = ax_heat.imshow(d[np.ix_(order, order)], origin="lower", aspect="auto",
                           cmap="viridis", vmin=0.0, vmax=vmax, interpolation="nearest")
    names = [labels[i] for i in order]
    ax_heat.set_yticks(range(n), names, fontsize=fontsize)
    ax_heat.yaxis.tick_right()
    ax_heat.set_xticks(range(n), names, fontsize=fontsize, rotation=90)
    ax_heat.set_title(title, fontsize=fontsize + 2)
    # The row labels sit right of the heatmap: measure them and put the colorbar past them.
    renderer = canvas.get_renderer()
    labels_end = max(t.get_window_extent(renderer).x1 for t in ax_heat.get_yticklabels())
    heat = ax_heat.get_position()
    ax_bar = fig.add_axes((labels_end / fig.bbox.width + 0.01, heat.y0, 0.012, heat.height))
    fig.colorbar(image, cax=ax_bar, label="cosine distance")

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    # "tight" grows the canvas to the rotated column labels and trims unused margins.
    fig.savefig(out, dpi=120, format="png", bbox_inches="tight", pad_inches=0.2)
    return out
