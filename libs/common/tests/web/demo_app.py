"""A small service built on the base app, the way a real one is: used by the web tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, model_validator

from jumo_common.errors import DomainError
from jumo_common.settings import ServiceSettings
from jumo_common.web import (
    ApiModel,
    ApiRoutes,
    Conflict,
    NotFound,
    OpenApiInfo,
    Page,
    PageQuery,
    add_routes,
    create_base_app,
    json_response,
    parse_body,
    parse_query,
)

routes = ApiRoutes(tags=("demo",))


class Address(ApiModel):
    city: str = Field(max_length=50)


class ProfileIn(ApiModel):
    name: str = Field(min_length=1, max_length=50)
    bio: str = Field(default="", max_length=20)
    score: float = 0.0
    count: int = 0
    tags: list[str] = Field(default_factory=list)
    address: Address | None = None
    extra: dict[str, str] = Field(default_factory=dict)


class ProfileOut(BaseModel):
    id: str
    name: str
    bio: str


class Hours(ApiModel):
    per_month: int = Field(ge=0, le=744)


class ProfilePatch(ApiModel):
    """Like identity's: a model validator refuses null for a field that must stay set."""

    name: str | None = None
    hours: Hours | None = None

    @model_validator(mode="after")
    def _name_stays_set(self) -> ProfilePatch:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class Stamps(BaseModel):
    fresh: dt.datetime
    stored: dt.datetime
    naive: dt.datetime
    offset: dt.datetime
    day: dt.date


# One instant as it shows up in a service: just made (microseconds), read back from MongoDB
# (milliseconds, naive UTC), and in another time zone.
INSTANT = dt.datetime(2026, 12, 1, 13, 46, 19, 610655, tzinfo=dt.UTC)


class SearchQuery(PageQuery):
    skills: list[str] = Field(default_factory=list)
    near: float | None = None


class NameRefused(DomainError):
    """A domain rule, raised without any HTTP in sight."""

    status = 422
    slug = "name-refused"


@routes.post("/profiles", body=ProfileIn, response=ProfileOut, status=201, problems=(409,))
async def create_profile(request: web.Request) -> web.Response:
    body = await parse_body(request, ProfileIn)
    if body.name == "taken":
        raise Conflict("That name is taken.", type_suffix="name-taken")
    if body.name == "forbidden":
        raise NameRefused("Nobody may be called that.")
    return json_response(ProfileOut(id="p1", name=body.name, bio=body.bio), status=201)


@routes.get("/profiles/{id}", response=ProfileOut, problems=(404,), summary="One profile")
async def get_profile(request: web.Request) -> web.Response:
    if request.match_info["id"] != "p1":
        raise NotFound("No such profile.")
    return json_response(ProfileOut(id="p1", name="Ada", bio=""))


@routes.get("/search", query=SearchQuery, response=Page[ProfileOut])
async def search(request: web.Request) -> web.Response:
    query = parse_query(request, SearchQuery)
    item = ProfileOut(id="p1", name=",".join(query.skills), bio=str(query.near))
    return json_response(Page[ProfileOut](items=[item], next_cursor=None))


@routes.patch("/profiles/p1", body=ProfilePatch, response=ProfileOut)
async def patch_profile(request: web.Request) -> web.Response:
    patch = await parse_body(request, ProfilePatch)
    return json_response(ProfileOut(id="p1", name=patch.name or "Ada", bio=""))


def _stamps() -> Stamps:
    stored = INSTANT.replace(microsecond=610000)
    return Stamps(
        fresh=INSTANT,
        stored=stored,
        naive=stored.replace(tzinfo=None),
        offset=INSTANT.astimezone(dt.timezone(dt.timedelta(hours=-3))),
        day=INSTANT.date(),
    )


@routes.get("/stamps", response=Stamps)
async def stamps(_request: web.Request) -> web.Response:
    return json_response(_stamps())


@routes.get("/stamps/raw")
async def raw_stamps(_request: web.Request) -> web.Response:
    # A raw dict, as a handler might return a document straight from the store.
    raw: dict[str, Any] = dict(_stamps())
    return json_response({"items": [raw], "at": INSTANT, "model": _stamps()})


@routes.get("/public")
async def public(_request: web.Request) -> web.Response:
    return json_response({"keys": []}, headers={"Cache-Control": "public, max-age=60"})


@routes.delete("/profiles/p1", status=204)
async def delete_profile(_request: web.Request) -> web.Response:
    return json_response(None, status=204)


@routes.get("/moved")
async def moved(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/profiles/p1")


@routes.get("/users/{id:me|[0-9a-f]{32}}")
async def get_user(request: web.Request) -> web.Response:
    return json_response({"id": request.match_info["id"]})


@routes.get("/boom")
async def boom(_request: web.Request) -> web.Response:
    raise RuntimeError("secret internals: password=hunter2")


def create_demo_app(settings: ServiceSettings) -> web.Application:
    app = create_base_app(settings, openapi_info=OpenApiInfo(title="demo", version="1.2.3"))
    add_routes(app, routes)
    return app
