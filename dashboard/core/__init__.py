"""Configuration, the per-process runtime, permissions (every role set), i18n, errors, input checks."""
