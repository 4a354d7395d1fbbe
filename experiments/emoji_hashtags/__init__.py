"""Emojis and hashtags (papers/emoji-hashtag-association.txt): one file per table or figure."""
