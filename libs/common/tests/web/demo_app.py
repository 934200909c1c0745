"""A small service built on the base app, the way a real one is: used by the web tests."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

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


class SearchQuery(PageQuery):
    skills: list[str] = Field(default_factory=list)
    near: float | None = None


@routes.post("/profiles", body=ProfileIn, response=ProfileOut, status=201, problems=(409,))
async def create_profile(request: web.Request) -> web.Response:
    body = await parse_body(request, ProfileIn)
    if body.name == "taken":
        raise Conflict("That name is taken.", type_suffix="name-taken")
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


@routes.get("/boom")
async def boom(_request: web.Request) -> web.Response:
    raise RuntimeError("secret internals: password=hunter2")


def create_demo_app(settings: ServiceSettings) -> web.Application:
    app = create_base_app(settings, openapi_info=OpenApiInfo(title="demo", version="1.2.3"))
    add_routes(app, routes)
    return app
