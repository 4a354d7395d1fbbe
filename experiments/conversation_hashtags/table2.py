"""Table 2 of the conversation-hashtag paper: statistics of the Weibo data.

    python experiments/conversation_hashtags/table2.py --scale cpu

Posts, average words per post, conversation and hashtag, hashtags per post, for each public
split, both together, and the paper's training hashtags (`train_tag.txt`: hashtags only; the
32,107 training posts themselves are not public). The paper's numbers are over all 40,171
posts (its train, development and test splits); they stand beside the two public splits.
Each cell also computes Table 3's statistics, which reuses these cells. Seconds at every scale
(the whole files are read).
"""

from experiments.conversation_hashtags.scales import STATS_SCALES
from experiments.conversation_hashtags.stats_task import WEIBO_STATS
from orchestration import Experiment, Metric, Row, run_cli

EXPERIMENT = Experiment(
    id="conversation_hashtags/table2",
    title="Statistics of the Weibo data (Table 2)",
    task=WEIBO_STATS,
    scales=STATS_SCALES,
    rows=(Row("valid (our training)", {"split": "valid"}), Row("test", {"split": "test"}),
          Row("valid + test", {"split": "valid_test"}), Row("train_tag.txt (hashtags only)", {"split": "train_tags"})),
    metrics=(Metric("posts", "# of posts", scale=1.0, digits=0),
             Metric("avg_post_len", "avg len of posts", scale=1.0, digits=2),
             Metric("avg_conv_len", "avg len of convs", scale=1.0, digits=2),
             Metric("avg_tag_len", "avg len of tags", scale=1.0, digits=2),
             Metric("tags_per_post", "# of tags per post", scale=1.0, digits=2),
             Metric("empty_conversations", "posts without replies", scale=1.0, digits=0)),
    seeds=(0,),
    paper={"valid + test": {"posts": 40_171, "avg_post_len": 32.64, "avg_conv_len": 70.61, "avg_tag_len": 2.70,
                            "tags_per_post": 1.11}},
    paper_note="Table 2, Weibo: all 40,171 posts of the paper's train, development and test splits",
    data_note="weibo_conversation_hashtags, the paper's own files: the validation (4,013) and test (4,014) "
              "splits and the training split's hashtags; lengths in words of the given segmentation",
    claims_note="descriptive: Table 2 reports dataset statistics (posts, lengths, tags per post), no "
                "comparison",
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
