"""Table 3 of the emoji-hashtag paper: popular and rare hashtags in the generation corpus.

    python experiments/emoji_hashtags/table3.py --scale cpu
    python -m orchestration run experiments/emoji_hashtags/table3.py --scale smoke

A hashtag is popular when more than T tweets use it (T = 100 as the paper at `cpu` and `paper`,
both of which count every hashtag tweet; 2 at `smoke`, scaled to its 1,000 tweets). Hashtags
are compared lower-cased; a tweet counts a hashtag once. Counting is deterministic: one seed.
"""

from experiments.emoji_hashtags.generation_task import HASHTAG_STATS
from experiments.emoji_hashtags.scales_generation import DATA_NOTE, SCALES
from orchestration import Experiment, Metric, Row, run_cli

ROW = "TweetEval hashtag tweets"

EXPERIMENT = Experiment(
    id="emoji_hashtags/table3",
    title="Hashtag frequency distribution: popular vs rare hashtags (Table 3)",
    task=HASHTAG_STATS,
    scales=SCALES,
    rows=(Row(ROW),),
    metrics=(Metric("popular_tags", "# popular tags", scale=1.0, digits=0),
             Metric("rare_tags", "# unpopular tags", scale=1.0, digits=0),
             Metric("tweets_popular", "tweets w/ popular tags", scale=1.0, digits=0),
             Metric("tweets_rare", "tweets w/o popular tags", scale=1.0, digits=0),
             Metric("threshold", "popular: more tweets than", scale=1.0, digits=0)),
    seeds=(0,),
    transpose=True,
    paper={ROW: {"popular_tags": 41, "rare_tags": 35_777, "tweets_popular": 9_487, "tweets_rare": 40_513,
                 "threshold": 100}},
    paper_note="Table 3, Twitter 2020 (50,000 tweets, 35,818 hashtags)",
    data_note=DATA_NOTE.split(". Each")[0],
    claims_note="descriptive: Table 3 counts popular and rare hashtags (most tweets hold only rare ones), "
                "one row of counts with no comparison to test",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
