"""The integrators' REST API and its OpenAPI document."""
