"""The canned-reply library (快捷短语) and its hotkey search index. No aiohttp here."""
