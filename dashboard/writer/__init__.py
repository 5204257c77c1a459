"""The writer: Redis stream → PostgreSQL, and what is derived from positions (zones, stays, visits, tasks)."""
