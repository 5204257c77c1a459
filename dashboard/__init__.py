"""FieldOps: one sub-package per capability, each one floor of docs/ARCHITECTURE.md's picture."""
