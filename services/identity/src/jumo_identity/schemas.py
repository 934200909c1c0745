"""identity's HTTP models: every request and response shape, in one place.

Routes parse requests into these and answer with them; a use case may return one directly
(``Graph.page`` returns ``FollowEntry`` items) rather than a twin dataclass. What a profile is
made of, and its rules (normalisation, visibility), stay in ``profiles``; what a browser's
login may return to is ``browser``'s rule. Those two (which import no other identity module) are
the only identity modules this one imports: so any other module may import it without a cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jumo_common.web import ApiModel
from jumo_identity.browser import RETURN_TO_MAX_LENGTH, return_to_problem
from jumo_identity.profiles import (
    DEFAULT_RADIUS_KM,
    LIST_FIELDS,
    Availability,
    Bio,
    DisplayName,
    Languages,
    Location,
    RadiusKm,
    Tags,
    User,
    Visibility,
)

# ---- profiles ------------------------------------------------------------------------------


class ProfilePatch(ApiModel):
    """``PATCH /users/me``: only the fields present change; ``null`` clears an optional one."""

    display_name: DisplayName | None = None
    bio: Bio | None = None
    skills: Tags | None = None
    interests: Tags | None = None
    languages: Languages | None = None
    location: Location | None = None
    availability: Availability | None = None
    visibility: Visibility | None = None
    findable: bool | None = None
    radius_km: RadiusKm | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> ProfilePatch:
        for name in ("display_name", "visibility", "findable", "radius_km"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        for name in LIST_FIELDS & self.model_fields_set:
            if getattr(self, name) is None:
                object.__setattr__(self, name, [])  # null clears a list: it becomes empty
        return self

    def fields_sent(self) -> dict[str, Any]:
        """The fields the request named, with their (normalised) values."""
        return self.model_dump(include=self.model_fields_set, mode="python")


class PublicProfile(BaseModel):
    """What others see; ``limited`` when visibility hides everything but the name and picture."""

    id: str
    display_name: str
    picture_url: str | None = None
    visibility: Visibility
    limited: bool = False
    bio: str | None = None
    skills: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    location: Location | None = None
    availability: Availability | None = None


class PrivateProfile(PublicProfile):
    """What a person sees of themselves (``GET /users/me``)."""

    email: str | None = None
    facebook_id: str
    findable: bool = False
    radius_km: int = DEFAULT_RADIUS_KM
    roles: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


def public_view(user: User, *, full: bool) -> PublicProfile:
    """The public profile, or its limited form (``profiles.may_see_full`` decides which)."""
    if not full:
        return PublicProfile(
            id=user.id,
            display_name=user.display_name,
            picture_url=user.picture_url,
            visibility=user.visibility,
            limited=True,
        )
    return PublicProfile.model_validate(user.model_dump(include=set(PublicProfile.model_fields)))


def private_view(user: User) -> PrivateProfile:
    """The owner's view of their profile."""
    return PrivateProfile.model_validate(user.model_dump(include=set(PrivateProfile.model_fields)))


class Export(BaseModel):
    """Everything identity holds about you (secrets are named, never included)."""

    profile: dict[str, Any]
    last_login_at: datetime | None
    facebook: dict[str, Any]
    following: list[dict[str, Any]]
    followers: list[dict[str, Any]]
    logins: list[dict[str, Any]]


# ---- the follow graph ----------------------------------------------------------------------


class FollowState(BaseModel):
    """The answer of PUT/DELETE /users/{id}/follow and of answering a follow request.

    ``requested``: the followee's profile is not public, so the follow waits for their
    approval (nothing is published until then)."""

    follower_id: str
    followee_id: str
    following: bool
    requested: bool = False
    changed: bool


class UserSummary(BaseModel):
    """A person in a list: enough to show a name and a picture."""

    id: str
    display_name: str
    picture_url: str | None = None


class FollowEntry(UserSummary):
    """A person in a followers/following list, and since when."""

    since: datetime


class Suggestions(BaseModel):
    """Facebook friends on Jumo whom you do not follow yet."""

    items: list[UserSummary]


def summary(user: User) -> UserSummary:
    """The list form of a user."""
    return UserSummary(id=user.id, display_name=user.display_name, picture_url=user.picture_url)


# ---- login and tokens ----------------------------------------------------------------------


class TokenPair(BaseModel):
    """What a login or a refresh answers."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int
    refresh_token: str


class LoginTokens(TokenPair):
    """The callback's answer: Jumo's tokens, whether the account is new, and the profile."""

    created: bool
    user: PrivateProfile


class RefreshBody(ApiModel):
    """``POST /auth/refresh`` and ``/auth/logout``: the body is optional (a browser sends none)."""

    refresh_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        description=(
            "The refresh token (API clients). Leave it out (an empty `{}` or no body at all)"
            " to use the browser's HttpOnly `jumo_refresh` cookie instead; a request that uses"
            " the cookie must carry the header `X-Jumo-Client: web` (403 otherwise)."
        ),
    )


class RefreshAnswer(BaseModel):
    """What a refresh answers: a body token's refresh also has the new refresh token; a
    cookie's refresh has it only in the new cookie, never in the body."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int
    refresh_token: str | None = Field(
        default=None, description="The new refresh token; absent when it came from the cookie."
    )


class AccessTokenAnswer(BaseModel):
    """A cookie refresh's body: the access token only (the app keeps it in memory)."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int


class LoginQuery(BaseModel):
    """``GET /auth/facebook/login``: the sign-up's choices (other parameters are ignored)."""

    model_config = ConfigDict(extra="ignore")

    share_joins: bool = Field(
        default=False,
        description=(
            "Signing up: show my joining Jumo on Facebook (`true` or `false`, default false:"
            " nothing is posted unless the person says so). Carried through the Facebook round"
            " trip in the one-time login state and handed to the notifier in user.registered"
            " when this login creates the account; a returning person's login ignores it, and"
            " identity does not keep it (the notifier's preferences hold it afterwards)."
        ),
    )
    return_to: str | None = Field(
        default=None,
        max_length=RETURN_TO_MAX_LENGTH,
        description=(
            "A browser's login: the app path to land on afterwards (default `/`). A path of"
            " this site only — starting with `/` but not `//` or `/\\`, visible ASCII without"
            " backslash, quote or angle bracket (no space or control character) — else 422."
            " Kept in the one-time login state; after the callback a browser (one that asks"
            " for HTML) is sent there with a 303, its"
            " refresh token in an HttpOnly cookie and no token in the URL."
        ),
    )

    @field_validator("return_to")
    @classmethod
    def _same_origin_path(cls, value: str | None) -> str | None:
        if value is not None and (problem := return_to_problem(value)) is not None:
            raise ValueError(problem)
        return value


class CallbackQuery(BaseModel):
    """What Facebook appends to the redirect URI (other parameters are ignored)."""

    model_config = ConfigDict(extra="ignore")

    code: str | None = Field(default=None, max_length=4096)
    state: str | None = Field(default=None, max_length=256)
    error: str | None = Field(default=None, max_length=200)
    error_reason: str | None = Field(default=None, max_length=200)
    error_description: str | None = Field(default=None, max_length=1000)
    error_code: str | None = Field(default=None, max_length=20)
    error_message: str | None = Field(default=None, max_length=1000)


class Jwk(BaseModel):
    """An Ed25519 public key (RFC 8037)."""

    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class Jwks(BaseModel):
    """The keys that verify Jumo's access tokens: current first, then previous."""

    keys: list[Jwk]


# ---- Facebook's callbacks ------------------------------------------------------------------


class DeletionAnswer(BaseModel):
    """What Facebook expects back from the data-deletion callback."""

    url: str
    confirmation_code: str


class DeletionStatus(BaseModel):
    """The status page of a data-deletion request, in words."""

    confirmation_code: str
    status: Literal["pending", "completed"]
    outcome: Literal["deleted", "nothing_to_delete"] | None = None
    requested_at: datetime
    completed_at: datetime | None = None
    message: str
