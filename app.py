"""`python app.py` serves FieldOps on http://127.0.0.1:8050 (embedded PostgreSQL/Redis unless configured).

For the full demo with a moving fleet, run `fieldops demo`; in production, `fieldops serve`.
"""

from dashboard.cli.serve import serving_app
from dashboard.core.config import Settings

app, services = serving_app(Settings.from_env())  # `services` keeps embedded servers alive as long as the app
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
