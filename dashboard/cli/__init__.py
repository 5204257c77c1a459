"""The `fieldops` command: the composition root that starts servers, threads and the web app."""
