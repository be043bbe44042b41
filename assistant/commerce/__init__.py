"""Buyers, orders, logistics and one-click order edits."""
