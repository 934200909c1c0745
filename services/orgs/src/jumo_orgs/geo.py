"""Distances without a geo index: a latitude/longitude box the store can filter on, refined by
the great-circle distance in code. No I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
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


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


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
