"""The demo: the Helsinki city seeded into the database and a simulated fleet driving it."""
