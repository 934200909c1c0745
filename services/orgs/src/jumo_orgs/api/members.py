"""Routes of an organization's people: invitations, roles, leaving, transferring ownership."""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, PageQuery, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.schemas.members import (
    InvitationView,
    InviteBody,
    MembersQuery,
    MemberView,
    RoleBody,
    TransferBody,
)

routes = ApiRoutes(tags=("organizations: people",))


@routes.get(
    "/invitations", query=PageQuery, response=Page[InvitationView], auth=True, problems=(400,),
    summary="Your pending invitations, newest first",
)  # fmt: skip
async def my_invitations(request: web.Request) -> web.Response:
    """Organizations that invited you, and to which role."""
    query = parse_query(request, PageQuery)
    items, cursor = await service(request).organizations.members.invitations(
        await caller(request), limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[InvitationView](items=items, next_cursor=cursor))


@routes.post(
    "/orgs/{id}/invitations", body=InviteBody, response=MemberView, status=201, auth=True,
    problems=(403, 404, 409), summary="Invite a person to a role (admins and owners)",
)  # fmt: skip
async def invite_to_org(request: web.Request) -> web.Response:
    """Invite someone orgs knows by user id; admins invite admins and editors, only owners
    invite owners. Inviting again with another role changes the invitation."""
    who, body = await caller(request), await parse_body(request, InviteBody)
    member = await service(request).organizations.members.invite(
        request.match_info["id"], who, body.user_id, body.role, now()
    )
    return json_response(member, status=201)


@routes.post(
    "/orgs/{id}/invitations/accept", response=MemberView, auth=True, problems=(404, 409),
    summary="Accept your invitation (publishes org.member_added)",
)  # fmt: skip
async def accept_invitation(request: web.Request) -> web.Response:
    """Join the organization in the invited role; again: no change."""
    member = await service(request).organizations.members.accept(
        request.match_info["id"], await caller(request), now()
    )
    return json_response(member)


@routes.post(
    "/orgs/{id}/invitations/decline", status=204, auth=True, problems=(404, 409),
    summary="Decline your invitation",
)  # fmt: skip
async def decline_invitation(request: web.Request) -> web.Response:
    """Turn the invitation down (nothing is published)."""
    await service(request).organizations.members.decline(
        request.match_info["id"], await caller(request)
    )
    return web.Response(status=204)


@routes.get(
    "/orgs/{id}/members", query=MembersQuery, response=Page[MemberView], auth=True,
    problems=(400, 403, 404), summary="An organization's people, or its pending invitations",
)  # fmt: skip
async def list_members(request: web.Request) -> web.Response:
    """Its people with their roles (for its people and moderators); ``state=invited``: its
    pending invitations (for its admins, owners and moderators)."""
    query = parse_query(request, MembersQuery)
    items, cursor = await service(request).organizations.members.page(
        request.match_info["id"], await caller(request), query.state, limit=query.limit,
        cursor=query.cursor,
    )  # fmt: skip
    return json_response(Page[MemberView](items=items, next_cursor=cursor))


@routes.patch(
    "/orgs/{id}/members/{user_id}", body=RoleBody, response=MemberView, auth=True,
    problems=(403, 404, 409), summary="Change a member's role (admins and owners)",
)  # fmt: skip
async def change_member_role(request: web.Request) -> web.Response:
    """A new role, up to your own, for someone up to your rank (org.member_added); the last
    owner cannot be demoted (409 last-owner)."""
    who, body = await caller(request), await parse_body(request, RoleBody)
    member = await service(request).organizations.members.change_role(
        request.match_info["id"], who, request.match_info["user_id"], body.role
    )
    return json_response(member)


@routes.delete(
    "/orgs/{id}/members/{user_id}", status=204, auth=True, problems=(403, 404, 409),
    summary="Leave, remove someone, or withdraw an invitation",
)  # fmt: skip
async def remove_member(request: web.Request) -> web.Response:
    """Anyone may leave (not the last owner: 409 last-owner); admins and owners remove people
    of their rank or below and withdraw invitations. org.member_removed for a member."""
    await service(request).organizations.members.remove(
        request.match_info["id"], await caller(request), request.match_info["user_id"]
    )
    return web.Response(status=204)


@routes.post(
    "/orgs/{id}/transfer", body=TransferBody, response=MemberView, auth=True,
    problems=(403, 404, 409, 422),
    summary="Make another member owner; you become admin (owners)",
)  # fmt: skip
async def transfer_ownership(request: web.Request) -> web.Response:
    """Hand ownership to another member (both changes publish org.member_added)."""
    who, body = await caller(request), await parse_body(request, TransferBody)
    member = await service(request).organizations.members.transfer(
        request.match_info["id"], who, body.user_id
    )
    return json_response(member)
