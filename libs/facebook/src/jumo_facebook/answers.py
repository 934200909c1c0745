"""Reading Graph answers defensively: a shape we do not expect is Facebook's error, not a crash."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jumo_facebook.errors import FacebookError

M = TypeVar("M", bound=BaseModel)


def parse_model(model: type[M], data: Any) -> M:
    """Validate a Graph answer; a shape we do not know is Facebook's error, not a crash."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FacebookError(f"unexpected {model.__name__} from Facebook") from exc


def list_of(body: Any, key: str) -> list[Any]:
    """``body[key]`` when it is a list, else empty."""
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, list) else []


def total_count(body: Any) -> int | None:
    """``summary.total_count`` when present."""
    summary = body.get("summary") if isinstance(body, dict) else None
    count = summary.get("total_count") if isinstance(summary, dict) else None
    return count if isinstance(count, int) else None


def next_cursor(body: Any) -> str | None:
    """The ``after`` cursor, only when Facebook says there is a next page."""
    paging = body.get("paging") if isinstance(body, dict) else None
    if not isinstance(paging, dict) or "next" not in paging:
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) and after else None
