"""Distances without a geo index: a latitude/longitude box the store can filter on, refined by
the great-circle distance in code. No I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

from jumo_common.geo import EARTH_RADIUS_KM, distance_km

__all__ = ["EARTH_RADIUS_KM", "Box", "box_around", "distance_km", "rounded"]
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180


@dataclass(frozen=True)
class Box:
    """A latitude/longitude range; ``lng_wraps`` when it crosses the antimeridian."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    @property
    def lng_wraps(self) -> bool:
        """Whether the box crosses ±180° (then min_lng > max_lng)."""
        return self.min_lng > self.max_lng


def rounded(value: float) -> float:
    """A coordinate kept at 2 decimals (about a kilometre): no more precision than a town."""
    return round(value, 2)


def box_around(lat: float, lng: float, radius_km: float) -> Box:
    """The smallest latitude/longitude box that holds every point within ``radius_km``."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if min_lat <= -90.0 or max_lat >= 90.0:
        return Box(min_lat, max_lat, -180.0, 180.0)  # a pole is inside: every longitude
    dlng = math.degrees(
        math.asin(min(1.0, math.sin(math.radians(dlat)) / math.cos(math.radians(lat))))
    )
    min_lng, max_lng = lng - dlng, lng + dlng
    if min_lng < -180.0:
        min_lng += 360.0
    if max_lng > 180.0:
        max_lng -= 360.0
    return Box(min_lat, max_lat, min_lng, max_lng)
