"""The knowledge base: the SQLite store and migrations, Chinese text normalisation,
sandboxed templates, intents, hot-item answers, campaign scripts and the intent matcher.

The bottom layer: plain Python, no aiohttp.
"""
