"""One module per tracker protocol: each turns its wire format into plain fixes for
`dashboard.ingest.accept.accept_fixes` and authenticates its devices its own way."""
