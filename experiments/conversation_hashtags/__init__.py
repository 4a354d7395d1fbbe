"""Hashtags from conversations (papers/conversation-hashtag-generation.txt): one file per table."""
