"""The JSON API's operations. Each one parses, calls a service as chat or the CLI would (the
token is the actor, audited as `api:kudos_<prefix>`), and renders the result; nothing else.

A new read endpoint is a function here: `grant: Grant = Depends(current)` for any token,
`Depends(admin)` for admin scope, a response model, and `responses=documented(...)`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.security import HTTPBearer

from bot.domain.browse import KudosFilter, KudosRecord
from bot.domain.schedule import KINDS
from bot.services.api_tokens import Grant
from bot.services.browse import (
    list_audit,
    list_kudos,
    list_learnings,
    list_members,
    list_redemptions,
    show_member,
)
from bot.services.catalog import change_item, create_item, delete_item, show_catalog
from bot.services.export import EXPORTS, ExportKind, export_rows
from bot.services.queries import show_leaderboard
from bot.services.rewards import decide_redemption
from bot.services.schedules import add_schedule, remove_schedule, schedule_status
from bot.services.settings import change_settings, show_settings
from bot.web.api import cursor
from bot.web.api.errors import PREFIX, ApiError, documented
from bot.web.api.gate import grant_of
from bot.web.api.models import (
    MAX_ID,
    AuditOut,
    AuditPage,
    CatalogOut,
    ItemChange,
    ItemIn,
    ItemOut,
    KudosPage,
    LeaderboardOut,
    LeaderboardRowOut,
    LearningOut,
    LearningPage,
    MemberOut,
    MemberPage,
    RedemptionOut,
    RedemptionPage,
    RejectIn,
    ScheduleIn,
    ScheduleOut,
    SchedulesOut,
    SettingsChange,
    SettingsOut,
    Text,
    TokenOut,
    WorkspaceOut,
)
from bot.web.api.services import services_of

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from `kudos api-token create`: `Authorization: Bearer kudos_…`",
)


def current(request: Request) -> Grant:
    """The grant the gate checked for this request."""
    return grant_of(request.scope)


def admin(grant: Annotated[Grant, Depends(current)]) -> Grant:
    """Admin scope (the gate refuses other tokens first; this keeps the rule next to the
    operation, and the gate learns from it which operations need it)."""
    if grant.token.scope != "admin":
        raise ApiError(403, "forbidden", "This needs a token with admin scope.")
    return grant


Reader = Annotated[Grant, Depends(current)]
Admin = Annotated[Grant, Depends(admin)]
Limit = Annotated[int, Query(ge=1, le=200, description="Rows per page, up to 200.")]
Since = Annotated[datetime | None, Query(description="From this time (ISO 8601; UTC if no zone).")]
Until = Annotated[datetime | None, Query(description="Before this time (ISO 8601).")]
PersonId = Annotated[Text | None, Query(max_length=128)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter(prefix=PREFIX, dependencies=[Security(bearer)])


def _utc(value: datetime | None, name: str) -> datetime | None:
    """Times compare in UTC; a time without a zone is taken as UTC."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(422, "invalid_request", f"{name} is out of range.") from None


@router.get("/workspace", response_model=WorkspaceOut, responses=documented(), tags=["workspace"])
async def workspace(grant: Reader) -> WorkspaceOut:
    """The workspace this token acts in, and the token itself."""
    ref = grant.workspace
    return WorkspaceOut(
        platform=ref.platform, id=ref.external_id, name=ref.name, token=TokenOut.of(grant.token)
    )


@router.get("/members", response_model=MemberPage, responses=documented(), tags=["members"])
async def members(
    request: Request,
    grant: Reader,
    active: Annotated[bool | None, Query(description="Only active (or inactive) members.")] = None,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=300)] = None,
    limit: Limit = 50,
) -> MemberPage:
    """Members in the order the bot first saw them, with their points."""
    page = await list_members(
        services_of(request), grant.workspace, active, cursor.decode("m", cursor_), limit
    )
    return MemberPage(
        items=[MemberOut.of(m) for m in page.items], next_cursor=cursor.encode("m", page.next)
    )


@router.get(
    "/members/{member_id}",
    response_model=MemberOut,
    responses=documented(404),
    tags=["members"],
)
async def member(
    request: Request, grant: Reader, member_id: Annotated[Text, Path(max_length=128)]
) -> MemberOut:
    """One member, by their platform id."""
    return MemberOut.of(await show_member(services_of(request), grant.workspace, member_id))


@router.get("/kudos", response_model=KudosPage, responses=documented(), tags=["kudos"])
async def kudos(
    request: Request,
    grant: Reader,
    period: Annotated[
        Literal["week", "month"] | None,
        Query(description="This week or month, in the workspace's time zone."),
    ] = None,
    since: Since = None,
    until: Until = None,
    person: Annotated[PersonId, Query(description="Given or received by this member id.")] = None,
    giver: PersonId = None,
    recipient: PersonId = None,
    value: Annotated[Text | None, Query(max_length=64, description="A company value.")] = None,
    channel: Annotated[Text | None, Query(max_length=128)] = None,
    include_reversed: bool = True,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=300)] = None,
    limit: Limit = 50,
) -> Response:
    """Kudos, newest first, a page at a time."""
    where = KudosFilter(
        since=_utc(since, "since"),
        until=_utc(until, "until"),
        giver=giver,
        recipient=recipient,
        person=person,
        value=value.lstrip("#") if value else None,
        channel=channel,
        include_reversed=include_reversed,
    )
    page = await list_kudos(
        services_of(request), grant.workspace, where, cursor.decode("k", cursor_), limit, period
    )
    body = {
        "items": [_kudos(k) for k in page.items],
        "next_cursor": cursor.encode("k", page.next),
    }
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


def _kudos(k: KudosRecord) -> dict[str, object]:
    """A `KudosOut`, built straight as JSON values (the hot list; the fuzz test checks it
    against the model)."""
    return {
        "id": k.id,
        "created_at": k.created_at.isoformat(),
        "giver": {"id": k.giver.external_id, "name": k.giver.display_name},
        "recipients": [{"id": p.external_id, "name": p.display_name} for p in k.recipients],
        "amount_each": k.amount_each,
        "total": k.amount_each * len(k.recipients),
        "reason": k.reason,
        "values": list(k.tags),
        "channel": k.channel,
        "reversed_at": k.reversed_at.isoformat() if k.reversed_at else None,
        "reversal_reason": k.reversal_reason,
    }


@router.get(
    "/leaderboards", response_model=LeaderboardOut, responses=documented(), tags=["leaderboards"]
)
async def leaderboards(
    request: Request,
    grant: Reader,
    period: Literal["week", "month", "all"] = "week",
    value: Annotated[Text | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> LeaderboardOut:
    """Who received most this week, this month or ever, overall or for one value."""
    tag = value.lstrip("#") or None if value else None
    board = await show_leaderboard(services_of(request), grant.workspace, period, tag, limit)
    return LeaderboardOut(
        period=period, value=tag, rows=[LeaderboardRowOut.of(r) for r in board.rows]
    )


@router.get("/learnings", response_model=LearningPage, responses=documented(), tags=["learnings"])
async def learnings(
    request: Request,
    grant: Reader,
    since: Since = None,
    until: Until = None,
    person: PersonId = None,
    value: Annotated[Text | None, Query(max_length=64)] = None,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=300)] = None,
    limit: Limit = 50,
) -> LearningPage:
    """What people learned and shared with `til`, newest first."""
    page = await list_learnings(
        services_of(request),
        grant.workspace,
        since=_utc(since, "since"),
        until=_utc(until, "until"),
        person=person,
        value=value.lstrip("#") if value else None,
        after=cursor.decode("l", cursor_),
        limit=limit,
    )
    return LearningPage(
        items=[LearningOut.of(r) for r in page.items], next_cursor=cursor.encode("l", page.next)
    )


@router.get("/catalog", response_model=CatalogOut, responses=documented(), tags=["catalog"])
async def catalog(request: Request, grant: Reader) -> CatalogOut:
    """Every reward in the catalog, inactive ones included, cheapest first."""
    shown = await show_catalog(services_of(request), grant.workspace)
    return CatalogOut(items=[ItemOut.of(item) for item in shown.items])


def _item_text(fields: dict[str, object]) -> dict[str, str]:
    """JSON fields as the catalog's text fields (`kudos catalog add` takes the same)."""
    out: dict[str, str] = {}
    for name, value in fields.items():
        key = "approval" if name == "needs_approval" else name
        if isinstance(value, bool):
            out[key] = "yes" if value else "no"
        elif value is None:
            if name == "stock":
                out[key] = "unlimited"
        else:
            out[key] = str(value)
    return out


@router.post(
    "/catalog",
    response_model=ItemOut,
    status_code=201,
    responses=documented(403, 409),
    tags=["catalog"],
)
async def add_to_catalog(request: Request, grant: Admin, item: ItemIn) -> ItemOut:
    """Add a reward (admin)."""
    fields = _item_text(item.model_dump())
    return ItemOut.of(await create_item(services_of(request), grant.workspace, grant.actor, fields))


@router.patch(
    "/catalog/{item_id}",
    response_model=ItemOut,
    responses=documented(403, 404, 409),
    tags=["catalog"],
)
async def change_in_catalog(
    request: Request, grant: Admin, item_id: ItemId, change: ItemChange
) -> ItemOut:
    """Change a reward's fields (admin)."""
    fields = _item_text(change.model_dump(exclude_unset=True))
    changed = await change_item(
        services_of(request), grant.workspace, grant.actor, f"#{item_id}", fields
    )
    return ItemOut.of(changed)


@router.delete(
    "/catalog/{item_id}",
    status_code=204,
    response_class=Response,
    responses=documented(403, 404),
    tags=["catalog"],
)
async def remove_from_catalog(request: Request, grant: Admin, item_id: ItemId) -> Response:
    """Take a reward out of the catalog (admin); its redemptions keep their history."""
    await delete_item(services_of(request), grant.workspace, grant.actor, f"#{item_id}")
    return Response(status_code=204)


Status = Literal["pending", "fulfilled", "rejected", "cancelled"]


@router.get(
    "/redemptions", response_model=RedemptionPage, responses=documented(), tags=["redemptions"]
)
async def redemptions(
    request: Request,
    grant: Reader,
    status: Annotated[list[Status] | None, Query(description="Only these statuses.")] = None,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=300)] = None,
    limit: Limit = 50,
) -> RedemptionPage:
    """Redemptions, newest first."""
    page = await list_redemptions(
        services_of(request),
        grant.workspace,
        tuple(dict.fromkeys(status or ())),
        cursor.decode("r", cursor_),
        limit,
    )
    return RedemptionPage(
        items=[RedemptionOut.of(r) for r in page.items], next_cursor=cursor.encode("r", page.next)
    )


RedemptionId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post(
    "/redemptions/{redemption_id}/approve",
    response_model=RedemptionOut,
    responses=documented(403, 404, 409),
    tags=["redemptions"],
)
async def approve(request: Request, grant: Admin, redemption_id: RedemptionId) -> RedemptionOut:
    """Approve (fulfil) a pending redemption (admin)."""
    decided = await decide_redemption(
        services_of(request), grant.workspace, grant.actor, redemption_id, True
    )
    return RedemptionOut.of(decided.redemption)


@router.post(
    "/redemptions/{redemption_id}/reject",
    response_model=RedemptionOut,
    responses=documented(403, 404, 409),
    tags=["redemptions"],
)
async def reject(
    request: Request, grant: Admin, redemption_id: RedemptionId, body: RejectIn
) -> RedemptionOut:
    """Reject a pending redemption with a reason the member reads (admin); refunded."""
    decided = await decide_redemption(
        services_of(request), grant.workspace, grant.actor, redemption_id, False, body.reason
    )
    return RedemptionOut.of(decided.redemption)


@router.get("/settings", response_model=SettingsOut, responses=documented(), tags=["settings"])
async def settings(request: Request, grant: Reader) -> SettingsOut:
    """The workspace's settings."""
    return SettingsOut.of(await show_settings(services_of(request), grant.workspace))


@router.patch("/settings", response_model=SettingsOut, responses=documented(403), tags=["settings"])
async def change(request: Request, grant: Admin, changes: SettingsChange) -> SettingsOut:
    """Change settings (admin); all of them or none, each change audited."""
    text = changes.as_text()
    if not text:
        return SettingsOut.of(await show_settings(services_of(request), grant.workspace))
    new = await change_settings(services_of(request), grant.workspace, text, grant.actor)
    return SettingsOut.of(new)


@router.get("/schedules", response_model=SchedulesOut, responses=documented(), tags=["schedules"])
async def schedules(request: Request, grant: Reader) -> SchedulesOut:
    """Scheduled posts, with their next run and how the last one went."""
    statuses = await schedule_status(services_of(request), grant.workspace)
    return SchedulesOut(items=[ScheduleOut.of(st) for st in statuses])


@router.post(
    "/schedules",
    response_model=ScheduleOut,
    status_code=201,
    responses=documented(403),
    tags=["schedules"],
)
async def schedule(request: Request, grant: Admin, body: ScheduleIn) -> ScheduleOut:
    """Schedule a post in a channel, or move one (admin)."""
    if grant.workspace.platform == "console":
        raise ApiError(
            422, "invalid_request", "Scheduled posts go to Slack or Teams, not the console."
        )
    ctx = services_of(request)
    added = await add_schedule(
        ctx, grant.workspace, body.kind, body.channel, body.when, actor=grant.actor
    )
    found = [st for st in await schedule_status(ctx, grant.workspace) if st.schedule.id == added.id]
    return ScheduleOut.of(found[0])


@router.delete(
    "/schedules/{schedule_id}",
    status_code=204,
    response_class=Response,
    responses=documented(403, 404),
    tags=["schedules"],
)
async def unschedule(
    request: Request, grant: Admin, schedule_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    """Stop a scheduled post (admin)."""
    ctx = services_of(request)
    for st in await schedule_status(ctx, grant.workspace):
        if st.schedule.id == schedule_id:
            await remove_schedule(
                ctx, grant.workspace, st.schedule.kind, st.schedule.channel, actor=grant.actor
            )
            return Response(status_code=204)
    raise ApiError(404, "not_found", f"There is no scheduled post #{schedule_id} here.")


@router.get("/audit", response_model=AuditPage, responses=documented(403), tags=["audit"])
async def audit(
    request: Request,
    grant: Admin,
    since: Since = None,
    action: Annotated[Text | None, Query(max_length=64, examples=["catalog.add"])] = None,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=300)] = None,
    limit: Limit = 50,
) -> AuditPage:
    """Admin actions (in chat, the CLI or this API), newest first (admin)."""
    page = await list_audit(
        services_of(request),
        grant.workspace,
        _utc(since, "since"),
        action,
        cursor.decode("a", cursor_),
        limit,
    )
    return AuditPage(
        items=[AuditOut.of(e) for e in page.items], next_cursor=cursor.encode("a", page.next)
    )


ExportFormat = Literal["csv", "json"]


@router.get(
    "/exports/{what}",
    response_class=Response,
    responses={
        200: {
            "description": "The rows, oldest first, as `kudos export` writes them.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        },
        **documented(403),
    },
    tags=["exports"],
)
async def export(
    request: Request,
    grant: Admin,
    what: Annotated[ExportKind, Path(description=f"One of {', '.join(EXPORTS)}.")],
    format: ExportFormat = "csv",
    since: Since = None,
) -> Response:
    """A whole table of the workspace as CSV or JSON, like `kudos export` (admin)."""
    rows = await export_rows(services_of(request), grant.workspace, what, _utc(since, "since"))
    if format == "json":
        return Response(
            json.dumps(rows, ensure_ascii=False, default=str), media_type="application/json"
        )
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{what}.csv"'},
    )


__all__ = ["KINDS", "router"]
