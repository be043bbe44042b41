"""``python -m assistant`` is the ``kefu`` command."""

from assistant.cli import main

raise SystemExit(main())
