"""Reports for executives: gathered from the rollups, rendered as PDF, XLSX and CSV, scheduled and mailed."""
