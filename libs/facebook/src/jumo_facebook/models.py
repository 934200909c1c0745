"""Typed views of Facebook's JSON answers; unknown keys are ignored, as Facebook adds keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AccessToken(_Model):
    """``/oauth/access_token``: ``expires_in`` may be absent."""

    access_token: str = Field(repr=False)
    token_type: str = "bearer"  # noqa: S105  (a token kind, not a secret)
    expires_in: int | None = None


class TokenErrorInfo(_Model):
    """``data.error`` of debug_token for an invalid token."""

    code: int | None = None
    message: str = ""
    subcode: int | None = None


class TokenInfo(_Model):
    """``debug_token``'s ``data``."""

    app_id: str | None = None
    type: str | None = None
    application: str | None = None
    is_valid: bool = False
    user_id: str | None = None
    profile_id: str | None = None
    scopes: list[str] = Field(default_factory=list)
    expires_at: int | None = None
    issued_at: int | None = None
    data_access_expires_at: int | None = None
    error: TokenErrorInfo | None = None


class PictureData(_Model):
    """The picture itself."""

    url: str
    width: int | None = None
    height: int | None = None
    is_silhouette: bool = False


class Picture(_Model):
    """``picture`` wraps its fields in ``data``."""

    data: PictureData


class Profile(_Model):
    """``/me``: only the fields asked for (and granted) are present."""

    id: str
    name: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    picture: Picture | None = None


class Friend(_Model):
    """One friend who also uses the app."""

    id: str
    name: str | None = None


class Friends(_Model):
    """Every friend who uses the app, and how many friends the person has in all."""

    friends: list[Friend]
    total_count: int | None = None


class Permission(_Model):
    """One row of ``/me/permissions``."""

    permission: str
    status: str

    @property
    def granted(self) -> bool:
        """Whether the person granted it (rather than declined it)."""
        return self.status == "granted"


class PageCategory(_Model):
    """One of a Page's categories."""

    id: str
    name: str


class ManagedPage(_Model):
    """A Page the person manages, from ``/me/accounts``, with its Page access token."""

    id: str
    name: str
    access_token: str = Field(repr=False)
    category: str | None = None
    category_list: list[PageCategory] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)


class PagePost(_Model):
    """A post read back from a Page feed."""

    id: str
    message: str | None = None
    created_time: str | None = None
