"""Figure 2: hashtags clustered by their emoji-PPMI vectors, heatmap + dendrogram.

    python experiments/emoji_hashtags/figure2.py --scale cpu
    python experiments/emoji_hashtags/figure2.py --scale cpu n_clusters=8 top_hashtags=40

Each hashtag of the 30 most frequent is a vector of PPMI(h, e) = max(0, log p(h,e) /
(p(h) p(e))) over emojis (probabilities per tweet, over every tweet); hashtags are compared
by cosine distance and clustered hierarchically with single linkage (the paper's) and
complete linkage (its suggested fix). Artifacts of the parent run: one
`figure2_<source>_<linkage>.png` per row and linkage, and `figure2_<source>_clusters.txt`
with the flat clusters (and the emojis that weigh most in each). The metrics describe
the trees: cophenetic correlation, singletons and largest cluster among the flat clusters.
"""

from experiments.emoji_hashtags.analysis_task import EMOJI_HASHTAG_ANALYSIS
from experiments.emoji_hashtags.scales_analysis import DATA_NOTE, RAW_2023, TWEETEVAL_LABEL, scales
from orchestration import Experiment, Metric, run_cli

LINKAGES = ("single", "complete")

EXPERIMENT = Experiment(
    id="emoji_hashtags/figure2",
    title="Clusters of the 30 most frequent hashtags by emoji-PPMI (Figure 2)",
    task=EMOJI_HASHTAG_ANALYSIS,
    scales=scales(analysis="figure2", top_hashtags=30, linkages=LINKAGES, n_clusters=6),
    rows=(TWEETEVAL_LABEL, RAW_2023),
    metrics=(
        Metric("n_hashtags", "hashtags", scale=1.0, digits=0),
        Metric("zero_vectors", "hashtags without a positive PPMI", scale=1.0, digits=0),
        Metric("mean_distance", "mean cosine distance", scale=1.0, digits=3),
        *(m for method in LINKAGES for m in (
            Metric(f"cophenetic_{method}", f"cophenetic correlation, {method}", scale=1.0, digits=3),
            Metric(f"singletons_{method}", f"singleton clusters, {method}", scale=1.0, digits=0),
            Metric(f"largest_cluster_{method}", f"largest cluster, {method}", scale=1.0, digits=0))),
    ),
    seeds=(0,),
    data_note=DATA_NOTE + (". The paper's Figure 2 (30 US trending hashtags of May 2020) is "
                           "qualitative: five small tight clusters (WWE shows, webcasts, social "
                           "movements, K-pop, Lady Gaga songs) under single linkage"),
    claims_note="qualitative: Figure 2's claim is that hashtags cluster topically by their emojis, judged "
                "by reading the dendrogram, not a comparison of rows on a metric",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
