"""Signing in and out: a one-time link, Sign in with Slack, Sign in with Microsoft Entra ID.

Both providers speak OpenID Connect (authlib reads their discovery documents, checks the
state, the nonce, the ID token's signature against their published keys, its issuer, audience
and lifetime). Slack's ID token names the workspace (`https://slack.com/team_id`) and the
user (`https://slack.com/user_id`, the same U… id the bot stores). Entra ID's names the tenant
(`tid`, the Teams workspace id) and the person's object id (`oid`), which the Teams adapter
keeps with each member it meets (the activity's `aadObjectId`); the bot's own `29:…` ids are
never in an ID token, so the object id is the bridge.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx2
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from starlette.exceptions import HTTPException

from bot.domain import errors
from bot.domain.model import WorkspaceRef
from bot.services.signin import identify, sign_in_link_state, sign_in_with_link
from bot.web.dashboard.core import (
    Dashboard,
    OidcClient,
    SignInNeeded,
    checked_form,
    dashboard_of,
    remember,
    render,
    text,
    viewer,
)

log = logging.getLogger("kudos.dashboard")
router = APIRouter(include_in_schema=False)
PROVIDERS = {"slack": "Slack", "entra": "Microsoft"}
SLACK_TEAM = "https://slack.com/team_id"
SLACK_USER = "https://slack.com/user_id"
TENANT_PLACEHOLDER = "{tenantid}"
TIMEOUT_SECONDS = 10.0


def _oauth(dashboard: Dashboard) -> OAuth:
    """The OpenID Connect clients, registered once per app."""
    found: OAuth | None = getattr(dashboard, "oauth", None)
    if found is not None:
        return found
    oauth = OAuth()
    clients: dict[str, OidcClient | None] = {
        "slack": dashboard.config.slack,
        "entra": dashboard.config.entra,
    }
    for name, client in clients.items():
        if client is None:
            continue
        options: dict[str, Any] = {
            "scope": "openid profile",
            "token_endpoint_auth_method": "client_secret_post",
            "timeout": TIMEOUT_SECONDS,
        }
        if name == "entra":
            options["code_challenge_method"] = "S256"
        oauth.register(
            name,
            client_id=client.client_id,
            client_secret=client.client_secret,
            server_metadata_url=f"{client.issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs=options,
        )
    dashboard.oauth = oauth  # type: ignore[attr-defined]
    return oauth


def _callback_url(request: Request, provider: str) -> str:
    base = dashboard_of(request).config.public_url or str(request.base_url).rstrip("/")
    return f"{base}/signin/{provider}/callback"


@router.get("/signin")
async def signin_page(request: Request) -> Response:
    """How to sign in: the providers this server is set up for, and the one-time link."""
    try:
        await viewer(request)
        return RedirectResponse("/", status_code=303)
    except SignInNeeded:
        pass
    config = dashboard_of(request).config
    return render(
        request,
        "signin.html",
        title="Sign in",
        slack=config.slack is not None,
        entra=config.entra is not None,
    )


@router.get("/signin/link/{token}")
async def link_page(request: Request, token: str) -> Response:
    """A one-time link: a button that uses it (opening the link alone uses nothing, so a
    chat app's link preview cannot spend it)."""
    state = await sign_in_link_state(dashboard_of(request).services, token)
    if state != "valid":
        return _refused(
            request,
            "This sign-in link has expired or was used already: ask for a new one "
            "(`kudos dashboard link --workspace … --user …` on the server).",
            410,
        )
    return render(request, "link.html", title="Sign in", token=token)


@router.post("/signin/link")
async def use_link(request: Request) -> Response:
    """Use a one-time link and start the session."""
    form = await checked_form(request)
    try:
        identity = await sign_in_with_link(dashboard_of(request).services, text(form, "token"))
    except errors.SignInRefused as refusal:
        return _refused(request, refusal.message, 410)
    remember(request, identity)
    return RedirectResponse("/", status_code=303)


@router.get("/signin/{provider}")
async def start(request: Request, provider: str) -> Response:
    """Off to Slack or Entra ID, with a fresh state and nonce kept in the session."""
    client = _client(request, provider)
    try:
        redirect: Response = await client.authorize_redirect(
            request, _callback_url(request, provider)
        )
    except (httpx2.HTTPError, OAuthError, ValueError, KeyError) as exc:
        log.warning("%s sign-in could not start: %r", provider, exc)
        return _refused(
            request,
            f"Sign-in with {PROVIDERS[provider]} is not answering right now; try again in a "
            "minute, or ask an admin for a sign-in link.",
            502,
        )
    return redirect


@router.get("/signin/{provider}/callback")
async def callback(request: Request, provider: str) -> Response:
    """Back from the provider: check everything about the ID token, map it to a member of a
    workspace Kudos serves, and start the session."""
    client = _client(request, provider)
    dashboard = dashboard_of(request)
    try:
        options = await _claims_options(dashboard, client, provider)
        token = await client.authorize_access_token(request, claims_options=options)
        claims = token.get("userinfo") or {}
        if provider == "slack":
            team, user = claims.get(SLACK_TEAM), claims.get(SLACK_USER) or claims.get("sub")
            if not team or not user:
                raise errors.SignInRefused("Slack did not say which workspace you are in.")
            identity = await identify(
                dashboard.services,
                WorkspaceRef("slack", str(team)),
                external_id=str(user),
                name=claims.get("name"),
                via="slack",
            )
            lookup = dashboard.config.lookups.get("slack")
            if lookup is not None:
                described = await _describe(lookup, str(team), str(user))
                if described is not None:
                    identity = identity.as_platform_says(described)
        else:
            tenant, oid = claims.get("tid"), claims.get("oid")
            if not tenant or not oid:
                raise errors.SignInRefused("Microsoft did not say which organisation you are in.")
            if dashboard.config.entra_tenant and tenant != dashboard.config.entra_tenant:
                raise errors.SignInRefused(
                    "This Kudos serves another Microsoft organisation: sign in with your work "
                    "account there."
                )
            identity = await identify(
                dashboard.services,
                WorkspaceRef("teams", str(tenant)),
                directory_id=str(oid),
                via="entra",
            )
    except errors.SignInRefused as refusal:
        return _refused(request, refusal.message, 403)
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        log.warning("%s sign-in refused: %r", provider, exc)
        return _refused(
            request,
            f"Sign-in with {PROVIDERS[provider]} didn't complete (it was cancelled, took too "
            "long, or could not be verified): start again from the sign-in page.",
            400,
        )
    except httpx2.HTTPError as exc:
        log.warning("%s sign-in failed: %r", provider, exc)
        return _refused(
            request,
            f"Sign-in with {PROVIDERS[provider]} is not answering right now; try again in a "
            "minute.",
            502,
        )
    remember(request, identity)
    return RedirectResponse("/", status_code=303)


@router.post("/signout")
async def signout(request: Request) -> Response:
    """Forget the session."""
    await checked_form(request)
    request.session.clear()
    request.session["flash"] = [["ok", "You are signed out."]]
    return RedirectResponse("/signin", status_code=303)


def _client(request: Request, provider: str) -> Any:
    client = _oauth(dashboard_of(request)).create_client(provider)
    if provider not in PROVIDERS or client is None:
        raise HTTPException(404)
    return client


async def _claims_options(dashboard: Dashboard, client: Any, provider: str) -> dict[str, Any]:
    """The issuer an ID token must name. Entra ID's multi-tenant discovery document names
    `https://login.microsoftonline.com/{tenantid}/v2.0`: the token's own `tid` fills it in."""
    metadata = await client.load_server_metadata()
    issuer = str(metadata.get("issuer", ""))
    if provider == "entra" and TENANT_PLACEHOLDER in issuer:

        def tenant_issuer(claims: Any, value: Any) -> bool:
            return bool(claims.get("tid")) and value == issuer.replace(
                TENANT_PLACEHOLDER, str(claims["tid"])
            )

        return {"iss": {"essential": True, "validate": tenant_issuer}}
    return {"iss": {"essential": True, "values": [issuer]}}


async def _describe(lookup: Any, team: str, user: str) -> Any:
    try:
        return await lookup(team, user)
    except Exception as exc:  # the platform is unreachable: the admin list still decides
        log.warning("could not look up %s in %s: %r", user, team, exc)
        return None


def _refused(request: Request, message: str, status: int) -> Response:
    return render(
        request,
        "error.html",
        status=status,
        title="Not signed in",
        message=message,
        signin_link=True,
    )
