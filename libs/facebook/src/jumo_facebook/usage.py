"""Facebook's rate-limit usage headers: percentages of a budget, throttled at 100."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

APP_USAGE_HEADER = "x-app-usage"
BUSINESS_USAGE_HEADER = "x-business-use-case-usage"


class _Budget(BaseModel):
    """The three percentages Facebook reports for one budget."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    call_count: float = 0
    total_cputime: float = 0
    total_time: float = 0

    @property
    def max_percent(self) -> float:
        """The highest of the three percentages."""
        return max(self.call_count, self.total_cputime, self.total_time)


class AppUsage(_Budget):
    """``x-app-usage``: the app's use of its hourly budget, in percent."""


class BusinessUseCaseUsage(_Budget):
    """One entry of ``x-business-use-case-usage`` for one business object (a Page)."""

    type: str = ""
    # Minutes until throttling ends; 0 when not throttled.
    estimated_time_to_regain_access: float = 0


class Usage(BaseModel):
    """Both usage headers of one response, parsed; absent or malformed headers give empty parts."""

    model_config = ConfigDict(frozen=True)

    app: AppUsage | None = None
    business: dict[str, list[BusinessUseCaseUsage]] = Field(default_factory=dict)

    @property
    def max_percent(self) -> float:
        """The highest percentage across every budget: slow down well before 100."""
        values = [self.app.max_percent] if self.app else []
        values += [u.max_percent for entries in self.business.values() for u in entries]
        return max(values, default=0.0)

    @property
    def regain_access_s(self) -> float | None:
        """Seconds until Facebook lifts throttling, when it said so."""
        minutes = [
            u.estimated_time_to_regain_access
            for entries in self.business.values()
            for u in entries
            if u.estimated_time_to_regain_access > 0
        ]
        return max(minutes) * 60 if minutes else None


def _json(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def parse_app_usage(raw: str | None) -> AppUsage | None:
    """Parse ``x-app-usage``; None when absent or not what Facebook sends."""
    data = _json(raw)
    if not isinstance(data, dict):
        return None
    try:
        return AppUsage.model_validate(data)
    except ValidationError:
        return None


def parse_business_usage(raw: str | None) -> dict[str, list[BusinessUseCaseUsage]]:
    """Parse ``x-business-use-case-usage`` into entries per business object id."""
    data = _json(raw)
    if not isinstance(data, dict):
        return {}
    parsed: dict[str, list[BusinessUseCaseUsage]] = {}
    for object_id, entries in data.items():
        if not isinstance(entries, list):
            continue
        try:
            parsed[str(object_id)] = [BusinessUseCaseUsage.model_validate(e) for e in entries]
        except ValidationError:
            continue
    return parsed


def parse_usage(headers: Mapping[str, str]) -> Usage | None:
    """The usage of one response; None when it carried neither header."""
    app_raw, business_raw = headers.get(APP_USAGE_HEADER), headers.get(BUSINESS_USAGE_HEADER)
    if app_raw is None and business_raw is None:
        return None
    return Usage(app=parse_app_usage(app_raw), business=parse_business_usage(business_raw))
