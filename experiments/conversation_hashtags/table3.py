"""Table 3 of the conversation-hashtag paper: how often a hashtag is in its post or conversation.

    python experiments/conversation_hashtags/table3.py --scale cpu

The number of distinct hashtags (|Tagset|) and the share of (post, hashtag) pairs whose hashtag
appears in the post (P), the conversation (C) or either (P ∪ C), per public split
(experiments/conversation_hashtags/stats_task.py).
Main columns compare characters (whitespace removed); the "(words)" columns ask for the
hashtag's words as a run of the text's words. The paper's numbers are over all 40,171 posts.
Its rows are Table 2's cells (same task, row names and config: each cell computes both tables'
statistics), so after Table 2 nothing runs again. Seconds at every scale.
"""

from experiments.conversation_hashtags.scales import STATS_SCALES
from experiments.conversation_hashtags.stats_task import WEIBO_STATS
from orchestration import Experiment, Metric, Row, run_cli

EXPERIMENT = Experiment(
    id="conversation_hashtags/table3",
    title="Hashtags present in their post and conversation, Weibo (Table 3)",
    task=WEIBO_STATS,
    scales=STATS_SCALES,
    rows=(Row("valid (our training)", {"split": "valid"}), Row("test", {"split": "test"}),
          Row("valid + test", {"split": "valid_test"})),
    metrics=(Metric("tagset", "distinct hashtags (Tagset)", scale=1.0, digits=0),
             Metric("present_post", "P (%)", digits=2), Metric("present_conv", "C (%)", digits=2),
             Metric("present_either", "P ∪ C (%)", digits=2),
             Metric("present_post_words", "P (%) (words)", digits=2),
             Metric("present_conv_words", "C (%) (words)", digits=2),
             Metric("present_either_words", "P ∪ C (%) (words)", digits=2)),
    seeds=(0,),
    paper={"valid + test": {"tagset": 5_027, "present_post": 8.29, "present_conv": 6.21, "present_either": 12.52}},
    paper_note="Table 3, Weibo: all 40,171 posts of the paper's train, development and test splits",
    data_note="weibo_conversation_hashtags, the paper's own validation (4,013) and test (4,014) splits",
    claims_note="descriptive: Table 3 reports the share of hashtags present in post / conversation (most "
                "are absent from both), counts with no comparison between rows",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
