"""The event envelope, the registry of event types, and parsing with upcasting.

Every event on the bus is one JSON ``Envelope``. Its ``data`` is the pydantic model registered
for ``(type, version)``. A producer module (``jumo_common.events.identity``, …) declares its
data models with ``@event_type("user.followed", 1)``. The routing key carries both
(``user.followed.v1``), so a consumer binds exactly the versions it handles.

Versioning: adding an optional field keeps the version (data models ignore unknown fields, so
an old consumer reads a newer producer's data). Anything else is a new version, published
alongside the old one until every consumer moved. A consumer that wants only the newest shape
registers an upcaster, a small pure function from one version's ``data`` dict to the next::

    def upcast_user_updated_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "display_name": data.pop("name")}

    register_upcaster("user.updated", 1, upcast_user_updated_v1_v2)

``parse_event`` then turns a v1 message into a v2 event before validation; chains (v1→v2→v3)
are followed to the newest registered version, or to the version of the model asked for
(``into=``). A consumer of the v2 model binds v1 too (``accepted_versions``). During a breaking
change the producer publishes one event in both shapes under ONE event id, so a consumer that
receives both still has one effect: idempotency is keyed by the event id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, cast

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator

DataT = TypeVar("DataT", bound="EventData")
M = TypeVar("M", bound=type["EventData"])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventData(BaseModel):
    """Base of every event's ``data``: frozen; unknown fields are ignored (forward compatible)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Envelope(BaseModel, Generic[DataT]):
    """One domain event as it travels on the bus (routing key = ``type``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: uuid.UUID
    type: str
    version: int
    occurred_at: AwareDatetime
    producer: str
    actor_id: str | None = None
    subject_id: str | None = None
    trace_id: str | None = None
    data: DataT

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @property
    def routing_key(self) -> str:
        """``<type>.v<version>``: what the event is published under."""
        return routing_key(self.type, self.version)

    def to_json(self) -> bytes:
        """The wire form (UTF-8 JSON)."""
        return orjson.dumps(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The JSON-compatible dict form, as stored in an outbox."""
        return self.model_dump(mode="json")


class EventParseError(ValueError):
    """A message that can never become a valid event (dead-letter it, do not retry)."""


_MODELS: dict[tuple[str, int], type[EventData]] = {}
_KEYS: dict[type[EventData], tuple[str, int]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def event_type(name: str, version: int) -> Callable[[M], M]:
    """Class decorator: register a data model as the schema of ``(name, version)``."""

    def register(model: M) -> M:
        known = _MODELS.get((name, version))
        if known is not None and known is not model:
            raise ValueError(f"event type {name} v{version} is already {known.__name__}")
        _MODELS[(name, version)] = model
        _KEYS[model] = (name, version)
        return model

    return register


def routing_key(name: str, version: int) -> str:
    """The routing key of ``(name, version)``: ``user.updated.v1``."""
    return f"{name}.v{version}"


def register_upcaster(name: str, from_version: int, upcast: Upcaster) -> None:
    """Turn ``data`` of ``(name, from_version)`` into ``(name, from_version + 1)`` when parsing."""
    _UPCASTERS[(name, from_version)] = upcast


def registered_types() -> dict[tuple[str, int], type[EventData]]:
    """A copy of the registry: (type, version) → data model."""
    return dict(_MODELS)


def type_of(model: type[EventData]) -> tuple[str, int]:
    """The registered (type, version) of a data model."""
    try:
        return _KEYS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with @event_type") from None


def accepted_versions(model: type[EventData]) -> list[int]:
    """The versions a consumer of ``model`` takes: its own and each older one upcast into it."""
    name, version = type_of(model)
    older = version - 1
    while (name, older) in _UPCASTERS:
        older -= 1
    return list(range(older + 1, version + 1))


def make_event(
    data: DataT,
    *,
    producer: str,
    actor_id: str | None = None,
    subject_id: str | None = None,
    trace_id: str | None = None,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope[DataT]:
    """A new envelope around ``data``; type and version come from its registered model."""
    name, version = type_of(type(data))
    model = cast(type[Envelope[DataT]], Envelope[type(data)])  # type: ignore[misc]
    return model(
        id=event_id or uuid.uuid4(),
        type=name,
        version=version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        actor_id=actor_id,
        subject_id=subject_id,
        trace_id=trace_id,
        data=data,
    )


def parse_event(
    raw: bytes | str | dict[str, Any], into: type[EventData] | None = None
) -> Envelope[Any]:
    """Validate a message into an envelope whose ``data`` is its registered model.

    Older versions are upcast to the newest registered one, or to ``into``'s version when
    given. Raises EventParseError (with a readable reason) for bad JSON, a missing or malformed
    envelope field, an unknown (type, version), or a version newer than ``into``.
    """
    doc = _load(raw)
    name, version = doc.get("type"), doc.get("version")
    if not isinstance(name, str) or not isinstance(version, int) or isinstance(version, bool):
        raise EventParseError(f"envelope lacks a valid type/version: {name!r} v{version!r}")
    target = type_of(into) if into is not None else None
    if target is not None and (target[0] != name or target[1] < version):
        raise EventParseError(f"{name} v{version} is not {target[0]} v{target[1]} or older")
    doc = _upcast(doc, name, version, target[1] if target else None)
    model = _MODELS.get((name, doc["version"]))
    if model is None:
        raise EventParseError(f"unknown event type {name} v{doc['version']}")
    try:
        envelope_model = cast(type[Envelope[Any]], Envelope[model])  # type: ignore[valid-type]
        return envelope_model.model_validate(doc)
    except ValidationError as exc:
        raise EventParseError(f"invalid {name} v{doc['version']}: {_short(exc)}") from exc


def _load(raw: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EventParseError(f"body is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise EventParseError(f"body is JSON {type(doc).__name__}, not an object")
    return doc


def _upcast(doc: dict[str, Any], name: str, version: int, until: int | None) -> dict[str, Any]:
    # Follow the chain to the newest version, or to ``until``.
    while (name, version) in _UPCASTERS and (until is None or version < until):
        data = doc.get("data")
        if not isinstance(data, dict):
            break  # validation below reports it
        doc = {**doc, "data": _UPCASTERS[(name, version)](dict(data)), "version": version + 1}
        version += 1
    return doc


def _short(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )
