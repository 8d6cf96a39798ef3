"""The incident journal: append-only, hash-chained SQLite event store (no Textual, no network)."""
