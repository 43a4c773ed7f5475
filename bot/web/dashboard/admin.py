"""The admins' pages. Every change is the same service call, with the same checks and audit
entry, as the chat command or the CLI that does it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from bot.domain import errors
from bot.domain.browse import KudosFilter
from bot.domain.model import LeaderboardPeriod, WorkspaceSettings
from bot.domain.schedule import KINDS, WEEKDAYS
from bot.services.admins import read_audit, show_admins
from bot.services.browse import CurrentPeriod, list_kudos
from bot.services.catalog import add_item, edit_item, import_items, remove_item, show_catalog
from bot.services.export import EXPORTS, export_rows
from bot.services.queries import show_leaderboard
from bot.services.rewards import decide_redemption, show_redemptions
from bot.services.schedules import add_schedule, recent_runs, remove_schedule, schedule_status
from bot.services.settings import change_settings, show_settings
from bot.web import cursor
from bot.web.dashboard.core import (
    Viewer,
    admin_viewer,
    back,
    checked_form,
    dashboard_of,
    flash,
    outcome,
    render,
    text,
)

router = APIRouter(prefix="/admin", include_in_schema=False)
PERIODS: tuple[LeaderboardPeriod, ...] = ("week", "month", "all")
BOARD_SIZE = 25
CHART_SIZE = 10
AUDIT_PAGE = 50
FEED_PAGE = 25
FEED_PERIODS: dict[CurrentPeriod, str] = {"week": "This week", "month": "This month"}
MAX_CHANNEL = 128
MAX_BACK = 60
SETTING_HELP: dict[str, tuple[str, str]] = {
    "allowance_amount": ("Allowance", "Points each person may give per period."),
    "allowance_period": ("Allowance period", "How often the allowance renews."),
    "allowance_rollover": ("Roll over", "Whether unspent allowance carries into the next period."),
    "min_amount": ("Smallest kudos", "The fewest points one kudos gives each recipient."),
    "max_amount": ("Largest kudos", "The most points one kudos gives each recipient."),
    "default_amount": ("Default amount", "What a kudos gives when no amount is typed."),
    "reason_required": ("Reason required", "Whether a kudos needs a reason."),
    "values": ("Company values", "Hashtags people tag kudos with, separated by commas."),
    "value_required": ("Value required", "Whether a kudos needs one of the values."),
    "timezone": ("Time zone", "Where periods start and dates are shown, like Europe/Berlin."),
    "max_recipients": ("Most recipients", "How many people one kudos may name."),
    "max_reason_length": ("Longest reason", "Characters a reason may have."),
    "undo_window_minutes": ("Undo window", "Minutes in which a giver may undo a kudos."),
    "reaction_emoji": ("Reaction emoji", "The emoji whose reaction gives 1 point, like clap."),
    "learning_channel": ("Learning channel", "Channel id where `til` learnings are posted."),
    "approvals_channel": ("Approvals channel", "Channel id where redemptions are announced."),
}


def _setting_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


@router.get("")
async def admin_home(request: Request) -> Response:
    await admin_viewer(request)
    return RedirectResponse("/admin/leaderboards", status_code=303)


# ------------------------------------------------------------------ leaderboards


def _period_start(seen: Viewer, period: LeaderboardPeriod, now: datetime, back_by: int) -> datetime:
    """A moment inside the week or month `back_by` periods before the current one."""
    local = now.astimezone(seen.tz)
    if period == "week":
        return now - timedelta(weeks=back_by)
    month = local.year * 12 + local.month - 1 - back_by
    return datetime(month // 12, month % 12 + 1, 15, 12, tzinfo=seen.tz)


@router.get("/leaderboards")
async def leaderboards(
    request: Request, period: str = "week", value: str = "", back: int = 0
) -> Response:
    """The top receivers of a week, month or all time, for every value or one."""
    seen = await admin_viewer(request)
    services = dashboard_of(request).services
    chosen: LeaderboardPeriod = period if period in PERIODS else "week"
    tag = value.strip().lstrip("#").casefold() or None
    back_by = 0 if chosen == "all" else min(max(0, back), MAX_BACK)
    at = _period_start(seen, chosen, services.clock.now(), back_by)
    board = await show_leaderboard(
        services, seen.workspace, chosen, tag, BOARD_SIZE, at, public=False
    )
    top = board.rows[:CHART_SIZE]
    chart = {
        "labels": [row.display_name for row in top],
        "values": [row.points for row in top],
        "label": "Points received",
    }
    return render(
        request,
        "admin/leaderboards.html",
        seen,
        title="Leaderboards",
        board=board,
        period=chosen,
        value=tag or "",
        back=back_by,
        at=at,
        chart=json.dumps(chart),
        chart_description=", ".join(f"{row.display_name} {row.points}" for row in top),
        max_back=MAX_BACK,
    )


# ------------------------------------------------------------------ kudos feed


def _day(raw: str, seen: Viewer, end: bool) -> datetime | None:
    """A date typed in the filter, as the start (or the end) of that day in the workspace's
    zone; None for empty or unreadable input."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(0), seen.tz)


@router.get("/kudos")
async def kudos_feed(
    request: Request,
    person: str = "",
    value: str = "",
    channel: str = "",
    period: str = "",
    since: str = "",
    until: str = "",
    older: str | None = None,
) -> Response:
    """Every kudos, newest first, filtered by person, value, channel, period and dates: the
    JSON API's list (`GET /api/v1/kudos`), a page at a time."""
    seen = await admin_viewer(request)
    problems = [
        f"{label} {raw!r} isn't a date like 2026-11-01; it was ignored."
        for label, raw in (("From", since), ("To", until))
        if raw.strip() and _day(raw, seen, False) is None
    ]
    try:
        after = cursor.decode("k", older or None)
    except cursor.InvalidCursor:
        problems.append("That page link is broken, so here are the newest kudos.")
        after = None
    chosen = next((known for known in FEED_PERIODS if known == period), None)
    wanted = KudosFilter(
        named=person,
        value=value,
        channel=channel.strip().lstrip("#")[:MAX_CHANNEL],
        since=_day(since, seen, False),
        until=_day(until, seen, True),
    )
    page = await list_kudos(
        dashboard_of(request).services,
        seen.workspace,
        wanted,
        after,
        FEED_PAGE,
        chosen,
        admin=seen.actor,
    )
    query = {
        "person": wanted.named or "",
        "value": wanted.value or "",
        "channel": wanted.channel or "",
        "period": chosen or "",
        "since": since.strip(),
        "until": until.strip(),
    }
    shown = {k: v for k, v in query.items() if v}
    return render(
        request,
        "admin/kudos.html",
        seen,
        title="Kudos feed",
        page=page,
        filtered=bool(shown),
        query=query,
        periods=FEED_PERIODS,
        problems=problems,
        first_page=after is None,
        newest_query=shown,
        older_query={**shown, "older": cursor.encode("k", page.next)},
    )


# ------------------------------------------------------------------ catalog


@router.get("/catalog")
async def catalog(request: Request) -> Response:
    seen = await admin_viewer(request)
    shown = await show_catalog(dashboard_of(request).services, seen.workspace)
    return render(request, "admin/catalog.html", seen, title="Rewards catalog", items=shown.items)


def _item_fields(form: Any) -> dict[str, str]:
    given = {name: text(form, name) for name in ("name", "cost", "stock", "description")}
    given["stock"] = given["stock"].strip() or "unlimited"
    given["approval"] = text(form, "approval") or "yes"
    given["active"] = text(form, "active") or "yes"
    return given


@router.post("/catalog/add")
async def catalog_add(request: Request) -> Response:
    form = await checked_form(request)
    seen = await admin_viewer(request)

    async def add() -> str:
        services = dashboard_of(request).services
        return (await add_item(services, seen.workspace, seen.actor, _item_fields(form))).text

    return await outcome(request, "/admin/catalog", add())


@router.post("/catalog/{item_id}/edit")
async def catalog_edit(request: Request, item_id: int) -> Response:
    form = await checked_form(request)
    seen = await admin_viewer(request)

    async def edit() -> str:
        services = dashboard_of(request).services
        fields = _item_fields(form)
        return (await edit_item(services, seen.workspace, seen.actor, f"#{item_id}", fields)).text

    return await outcome(request, "/admin/catalog", edit())


@router.post("/catalog/{item_id}/remove")
async def catalog_remove(request: Request, item_id: int) -> Response:
    await checked_form(request)
    seen = await admin_viewer(request)

    async def remove() -> str:
        services = dashboard_of(request).services
        return (await remove_item(services, seen.workspace, seen.actor, f"#{item_id}")).text

    return await outcome(request, "/admin/catalog", remove())


@router.post("/catalog/import")
async def catalog_import(request: Request) -> Response:
    """Add or update items from a CSV with a header (name, cost, description, stock, approval,
    active), all rows or none, as `kudos catalog import` does."""
    form = await checked_form(request)
    seen = await admin_viewer(request)
    upload = form.get("file")

    async def read_then_import() -> str:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise errors.InvalidItem("Choose a CSV file to import.")
        try:
            content = (await upload.read()).decode("utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(content, newline="")))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise errors.InvalidItem(f"Could not read {upload.filename}: {exc}.") from None
        if not rows:
            raise errors.InvalidItem(
                f"{upload.filename} has no rows under its header (name,cost,…)."
            )
        rows = [{(k or "").strip().casefold(): v for k, v in row.items()} for row in rows]
        done = await import_items(dashboard_of(request).services, seen.workspace, seen.actor, rows)
        return f"Imported {len(done.added)} new and {len(done.updated)} updated items."

    return await outcome(request, "/admin/catalog", read_then_import())


# ------------------------------------------------------------------ redemptions


@router.get("/redemptions")
async def redemptions(request: Request) -> Response:
    seen = await admin_viewer(request)
    shown = await show_redemptions(
        dashboard_of(request).services, seen.workspace, seen.actor, own=False
    )
    return render(
        request, "admin/redemptions.html", seen, title="Redemptions", queue=shown.queue or ()
    )


@router.post("/redemptions/{redemption_id}/{decision}")
async def decide(request: Request, redemption_id: int, decision: str) -> Response:
    """Approve, or reject with a reason (required: the member reads it). An htmx request gets
    the row back, decided (or with the refusal); a plain form post the whole page."""
    if decision not in {"approve", "reject"}:
        raise HTTPException(404)
    form = await checked_form(request)
    seen = await admin_viewer(request)
    approve = decision == "approve"
    reason = None if approve else text(form, "reason")
    decided = error = None
    try:
        decided = await decide_redemption(
            dashboard_of(request).services,
            seen.workspace,
            seen.actor,
            redemption_id,
            approve,
            reason,
        )
    except errors.KudosError as refusal:
        error = refusal.message
    if "hx-request" in request.headers:
        found = decided.redemption if decided else None
        if found is None:
            queue = await show_redemptions(
                dashboard_of(request).services, seen.workspace, seen.actor, own=False
            )
            found = next((r for r in queue.queue or () if r.id == redemption_id), None)
        return render(
            request,
            "admin/_redemption_row.html",
            seen,
            redemption=found,
            redemption_id=redemption_id,
            error=error,
        )
    if decided is not None:
        r = decided.redemption
        verb = "Approved" if approve else "Rejected"
        flash(request, f"{verb} #{r.id}: {r.item_name} for {r.member_name}.")
    else:
        flash(request, error or "", "error")
    return back("/admin/redemptions")


# ------------------------------------------------------------------ settings


@router.get("/settings")
async def settings_page(request: Request) -> Response:
    seen = await admin_viewer(request)
    services = dashboard_of(request).services
    current = await show_settings(services, seen.workspace)
    admins = await show_admins(services, seen.workspace)
    rows = [
        {
            "name": f.name,
            "label": SETTING_HELP.get(f.name, (f.name, ""))[0],
            "help": SETTING_HELP.get(f.name, ("", ""))[1],
            "value": _setting_text(getattr(current, f.name)),
            "kind": type(getattr(current, f.name)).__name__,
        }
        for f in fields(WorkspaceSettings)
    ]
    return render(
        request, "admin/settings.html", seen, title="Settings", rows=rows, admins=admins.admins
    )


@router.post("/settings")
async def settings_change(request: Request) -> Response:
    """Change what differs from the current settings, all or nothing, audited per setting."""
    form = await checked_form(request)
    seen = await admin_viewer(request)
    services = dashboard_of(request).services
    current = await show_settings(services, seen.workspace)
    changes = {
        f.name: text(form, f.name)
        for f in fields(WorkspaceSettings)
        if f.name in form and text(form, f.name).strip() != _setting_text(getattr(current, f.name))
    }
    if not changes:
        flash(request, "Nothing changed.")
        return back("/admin/settings")
    try:
        await change_settings(services, seen.workspace, changes, seen.actor)
    except errors.KudosError as refusal:
        flash(request, refusal.message, "error")
    else:
        flash(request, f"Saved: {', '.join(SETTING_HELP.get(n, (n, ''))[0] for n in changes)}.")
    return back("/admin/settings")


# ------------------------------------------------------------------ schedules


@router.get("/schedules")
async def schedules(request: Request) -> Response:
    seen = await admin_viewer(request)
    services = dashboard_of(request).services
    return render(
        request,
        "admin/schedules.html",
        seen,
        title="Scheduled posts",
        statuses=await schedule_status(services, seen.workspace),
        runs=await recent_runs(services, seen.workspace),
        kinds=KINDS,
        weekdays=WEEKDAYS,
        console=seen.workspace.platform == "console",
    )


@router.post("/schedules/add")
async def schedule_add(request: Request) -> Response:
    form = await checked_form(request)
    seen = await admin_viewer(request)
    when = " ".join(part for part in (text(form, "day"), text(form, "time")) if part.strip())

    async def add() -> str:
        if seen.workspace.platform == "console":
            raise errors.InvalidSetting("Scheduled posts go to Slack or Teams channels.")
        added = await add_schedule(
            dashboard_of(request).services,
            seen.workspace,
            text(form, "kind"),
            text(form, "channel"),
            when or None,
            actor=seen.actor,
        )
        return f"Scheduled: {added.describe()} in {added.channel}."

    return await outcome(request, "/admin/schedules", add())


@router.post("/schedules/remove")
async def schedule_remove(request: Request) -> Response:
    form = await checked_form(request)
    seen = await admin_viewer(request)
    kind, channel = text(form, "kind"), text(form, "channel")
    removed = await remove_schedule(
        dashboard_of(request).services, seen.workspace, kind, channel, actor=seen.actor
    )
    if removed:
        flash(request, f"Removed the {kind.replace('_', ' ')} in {channel}.")
    else:
        flash(request, f"No {kind.replace('_', ' ')} is scheduled in {channel}.", "error")
    return back("/admin/schedules")


# ------------------------------------------------------------------ audit and exports


@router.get("/audit")
async def audit_log(request: Request, before: int | None = None) -> Response:
    seen = await admin_viewer(request)
    entries = await read_audit(
        dashboard_of(request).services, seen.workspace, None, AUDIT_PAGE + 1, before
    )
    page = entries[:AUDIT_PAGE]
    return render(
        request,
        "admin/audit.html",
        seen,
        title="Audit log",
        entries=[(e, json.dumps(e.details, ensure_ascii=False, default=str)) for e in page],
        older=page[-1].id if len(entries) > AUDIT_PAGE else None,
        first_page=before is None,
    )


@router.get("/exports")
async def exports(request: Request) -> Response:
    seen = await admin_viewer(request)
    return render(request, "admin/exports.html", seen, title="Exports", kinds=EXPORTS)


@router.get("/exports/{name}")
async def export_download(request: Request, name: str, since: str = "") -> Response:
    """One export as a CSV or JSON download, exactly as `kudos export` writes it."""
    seen = await admin_viewer(request)
    what, _, fmt = name.partition(".")
    if what not in EXPORTS or fmt not in {"csv", "json"}:
        raise HTTPException(404)
    start = _day(since, seen, False) if since.strip() else None
    rows = await export_rows(dashboard_of(request).services, seen.workspace, what, start)
    out = io.StringIO()
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1, default=str)
        out.write("\n")
        media = "application/json"
    else:
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        media = "text/csv; charset=utf-8"
    filename = f"kudos-{seen.workspace.external_id}-{what}.{fmt}".replace('"', "")
    return Response(
        out.getvalue(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
