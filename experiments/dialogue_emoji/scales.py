"""The three scales of every dialogue-emoji experiment."""

from experiments.dialogue_emoji.task import DialogueConfig

SCALES = {
    # a few hundred dialogues, tiny dims: seconds, what the tests run
    "smoke": DialogueConfig(max_examples=400, max_len=20, dim=16, epochs=2, patience=1, batch_size=32),
    # every chitchat example, dims cut for two CPU cores
    "cpu": DialogueConfig(dim=128, epochs=30, patience=4, batch_size=32),
    # the paper's optimum: nx = nh = 384, batch 128 (Weibo2015 had 1.2M dialogues)
    "paper": DialogueConfig(dim=384, epochs=50, patience=5, batch_size=128),
}

DATA_NOTE = ("chitchat-dataset 0.9.0 (7,168 English conversations); the 10 most used emoticons "
             "stand in for the paper's 10 Weibo emojis, natural class balance (the paper balanced "
             "classes on 1.2M Weibo2015 dialogues); 80:10:10 stratified split")
