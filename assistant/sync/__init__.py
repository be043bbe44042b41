"""Keeping our copy of a shop current from the chat client, and handing our edits back to it.

The host pushes what it knows (``order.snapshot``, ``buyer.snapshot``); each applied edit waits in
the outbox until the host answers ``edit.applied`` or ``edit.failed`` for it.
"""
