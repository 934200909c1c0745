"""Structured logging for every Jumo process: structlog in front, stdlib logging routed through it.

One line per event: JSON when stdout is not a terminal (what log shippers read), readable
colourless key=value lines on a terminal. ``request_id``, ``trace_id`` and ``event_id`` are bound
through contextvars (``bind_log_context``), so every line logged while handling a request or an
event carries them, including lines from libraries that use stdlib ``logging``. Values under
secret-looking keys, and ``secret=value`` pairs inside strings (URLs, exception messages),
are replaced by ``[redacted]`` before anything is rendered.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from jumo_common.settings import ServiceSettings

REDACTED = "[redacted]"

# Compared after lower-casing and turning '-' into '_', so "X-Access-Token" matches too.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "code",
        "client_secret",
        "app_secret",
        "password",
        "authorization",
        "cookie",
        "set_cookie",
        "signed_request",
        "appsecret_proof",
        "token",
        "secret",
        "private_key",
    }
)
_SECRET_IN_TEXT = re.compile(
    r"(?i)\b(access_token|refresh_token|id_token|code|client_secret|password|signed_request"
    r"|appsecret_proof|token)=([^&\s\"']+)"
)
_BEARER_IN_TEXT = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")

_HANDLER_MARK = "_jumo_handler"


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in SECRET_KEYS


def redact_text(text: str) -> str:
    """``text`` with ``secret=value`` pairs and bearer tokens masked."""
    text = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _BEARER_IN_TEXT.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def redact(value: Any) -> Any:
    """A copy of ``value`` with secrets masked, recursing into mappings and lists."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if _is_secret_key(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def redact_secrets(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask secrets in every value of the event, including the exception."""
    for key, value in list(event_dict.items()):
        if key.startswith("_"):
            continue  # structlog's own bookkeeping (_record, _from_structlog)
        event_dict[key] = REDACTED if _is_secret_key(key) else redact(value)
    return event_dict


def _orjson_dumps(data: MutableMapping[str, Any], **_kw: Any) -> str:
    return orjson.dumps(data, default=str).decode()


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def _renderer(as_json: bool) -> Processor:
    if as_json:
        return structlog.processors.JSONRenderer(serializer=_orjson_dumps)
    return structlog.dev.ConsoleRenderer(colors=False)


def _wants_json(settings: ServiceSettings, stream: TextIO) -> bool:
    if settings.log_json is not None:
        return settings.log_json
    isatty = getattr(stream, "isatty", None)
    return not (isatty is not None and isatty())


def _formatter(shared: list[Processor], *, as_json: bool) -> structlog.stdlib.ProcessorFormatter:
    # Lines from stdlib loggers go through ``shared`` first, so they carry the same fields.
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secrets,
            _renderer(as_json),
        ],
    )


def _install_root_handler(handler: logging.Handler, level: str) -> None:
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # aiohttp's own access log is replaced by the web middleware's one line per request.
    logging.getLogger("aiohttp.access").propagate = False


def configure_logging(settings: ServiceSettings, *, stream: TextIO | None = None) -> None:
    """Route structlog and stdlib logging to one handler on ``stream`` (stdout); idempotent."""
    out = stream if stream is not None else sys.stdout
    shared = _shared_processors()
    handler = logging.StreamHandler(out)
    handler.setFormatter(_formatter(shared, as_json=_wants_json(settings, out)))
    _install_root_handler(handler, settings.log_level)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger named ``name`` (a module's ``__name__``)."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


@contextmanager
def bind_log_context(**values: str | None) -> Iterator[None]:
    """Bind ``request_id``/``trace_id``/``event_id`` (or any key) to every line in this block."""
    present = {k: v for k, v in values.items() if v is not None}
    with structlog.contextvars.bound_contextvars(**present):
        yield


def current_trace_id() -> str | None:
    """The trace id of the request or event being handled, if any."""
    value = structlog.contextvars.get_contextvars().get("trace_id")
    return value if isinstance(value, str) else None
