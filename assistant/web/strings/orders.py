"""UI strings of the orders area: Simplified Chinese first, English second (same keys in both)."""

ZH: dict[str, str] = {}

EN: dict[str, str] = {}
