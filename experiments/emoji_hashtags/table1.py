"""Table 1: the top-5 co-used emojis of popular hashtags.

    python experiments/emoji_hashtags/table1.py --scale cpu
    python experiments/emoji_hashtags/table1.py --scale cpu hashtags=mothersday,smackdown

The paper hand-picked trending hashtags of May 2020 (#BlackOutBTS, #MothersDay,
#SmackDown, ...) and listed their 5 most co-used emojis, a qualitative table. Here each
row takes its data set's 10 most frequent hashtags (or `hashtags=...`); the text table is
attached to the parent run as `table1_<source>.md` / `.csv`. The numbers below summarise
it: how many tweets a shown hashtag has, the share of its tweets holding one of its top-5
emojis (coverage) or its top emoji, and how many distinct emojis the top-5 lists use
(50 = every hashtag its own emojis, 5 = all the same).
"""

from experiments.emoji_hashtags.analysis_task import EMOJI_HASHTAG_ANALYSIS
from experiments.emoji_hashtags.scales_analysis import DATA_NOTE, RAW_2023, TWEETEVAL_LABEL, scales
from orchestration import Experiment, Metric, run_cli

EXPERIMENT = Experiment(
    id="emoji_hashtags/table1",
    title="Top-5 co-used emojis of the most used hashtags (Table 1)",
    task=EMOJI_HASHTAG_ANALYSIS,
    scales=scales(analysis="table1", top_hashtags=10, top_emojis=5),
    rows=(TWEETEVAL_LABEL, RAW_2023),
    metrics=(
        Metric("hashtags_shown", "hashtags shown", scale=1.0, digits=0),
        Metric("tweets_of_shown_mean", "tweets per shown hashtag", scale=1.0, digits=0),
        Metric("coverage_mean", "tweets holding one of the top-5 (%, mean)"),
        Metric("coverage_min", "tweets holding one of the top-5 (%, min)"),
        Metric("top1_share_mean", "tweets holding the top emoji (%, mean)"),
        Metric("distinct_top_emojis", "distinct emojis in the top-5 lists", scale=1.0, digits=0),
    ),
    seeds=(0,),
    data_note=DATA_NOTE + (". The emoji lists themselves are the artifacts table1_<source>.md "
                           "of this run; the paper's Table 1 (May 2020 trending hashtags) is "
                           "qualitative, with no numbers to set beside these"),
    claims_note="descriptive: Table 1 lists the top-5 co-used emojis of chosen hashtags, a qualitative list "
                "with no comparison between rows",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
