"""The ingest server (`fieldops ingest`): the tracker protocols and the native batch on a lean ASGI application
of its own (app.py), micro-batching their Redis calls (batcher.py), with the device register held whole in
memory. The same handlers as the web app's routes (dashboard/ingest/protocols/), driven by steps."""
