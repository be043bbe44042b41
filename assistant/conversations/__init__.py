"""The conversation log: every message the chat client reported, per conversation (see log.py)."""
