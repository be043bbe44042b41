"""JSON API handlers, one module per area."""
