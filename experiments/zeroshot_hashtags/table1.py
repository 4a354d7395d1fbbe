"""Table 1 of "zero-shot hashtag recommendation": statistics of the hashtag data set.

    python experiments/zeroshot_hashtags/table1.py --scale cpu
    python -m orchestration run experiments/zeroshot_hashtags/table1.py --scale smoke

The paper counts its own crawl (805,031 tweets collected, 321,385 after cleaning); here the
same counts are taken on tweeteval_emoji, plus what the cleaning drops and the word2vec
vocabulary. The per-hashtag counts and each label embedding's source are the artifact
`table1_labels.md` of the table's run.
"""

from experiments.zeroshot_hashtags.scales import DATA_NOTE, scales
from experiments.zeroshot_hashtags.task import ZEROSHOT_HASHTAGS
from orchestration import Experiment, Metric, Row, run_cli


def count(key: str, label: str) -> Metric:
    return Metric(key, label, scale=1.0, digits=0)


EXPERIMENT = Experiment(
    id="zeroshot_hashtags/table1",
    title="Twitter hashtag data set statistics (Table 1)",
    task=ZEROSHOT_HASHTAGS,
    scales=scales("stats"),
    rows=(Row("tweeteval_emoji"),),
    metrics=(
        count("n_tweets", "tweets"),
        count("n_with_hashtag", "tweets containing hashtags"),
        Metric("share_with_hashtag", "tweets containing hashtags (%)"),
        count("n_multi_hashtag", "tweets containing more than one hashtag"),
        count("n_unique_hashtags", "unique hashtags"),
        count("n_frequent_hashtags", "hashtags in >= 100 tweets (>= 200 in the paper)"),
        count("n_labels", "label hashtags"),
        count("n_label_tweets", "tweets holding a label hashtag"),
        count("n_multi_label", "dropped: more than one label hashtag"),
        count("n_short", "dropped: too few words left"),
        count("n_duplicate", "dropped: duplicates"),
        count("n_examples", "examples"),
        count("examples_per_label_min", "examples per label, min"),
        count("examples_per_label_median", "examples per label, median"),
        count("examples_per_label_max", "examples per label, max"),
        Metric("words_per_example_mean", "words per example, mean", scale=1.0, digits=1),
        count("w2v_words", "word2vec vocabulary"),
        count("w2v_dim", "word2vec dimensions"),
        count("labels_own_vector", "labels with a #tag vector of their own"),
    ),
    seeds=(0,),
    transpose=True,
    paper={"tweeteval_emoji": {
        "n_tweets": 321_385, "n_with_hashtag": 31_249, "share_with_hashtag": 9.7, "n_multi_hashtag": 3_301,
        "n_unique_hashtags": 956, "n_frequent_hashtags": 50, "n_labels": 50, "w2v_words": 94_361, "w2v_dim": 150}},
    paper_note="Table 1 and sec. 4; its tweet count is the 321,385 cleaned tweets (805,031 collected), "
               "its hashtags counted only in the 31,249 tweets holding one",
    data_note=DATA_NOTE,
    claims_note="descriptive: Table 1 reports data set counts (tweets, hashtags, vocabulary), no comparison",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
