"""Where time is lost: the efficiency model's rollups and the heatmap's data."""
