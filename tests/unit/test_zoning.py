"""Shapes drawn on the zones page checked before they are stored (dashboard/work/zoning.py), no server."""

import pytest

from dashboard.work.zoning import ZoneError, parse_drawn


def test_drawn_shapes_are_checked_before_they_are_stored():
    bowtie = {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}
    with pytest.raises(ZoneError):
        parse_drawn(bowtie)
    with pytest.raises(ZoneError):
        parse_drawn({"geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}})
    with pytest.raises(ZoneError):
        parse_drawn({})
    circle = parse_drawn({"geometry": {"type": "Point", "coordinates": [24.94, 60.17]}, "properties": {"_radius": 80}})
    assert circle == (None, (60.17, 24.94, 80.0))
