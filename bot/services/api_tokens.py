"""Access tokens to the JSON API: created (shown once), listed, revoked, and checked on every
request. Creating and revoking are admin actions, audited like every other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain import errors
from bot.domain.access import (
    TOKEN_PREFIX,
    ApiToken,
    Scope,
    check_scope,
    new_token,
    parse_token,
    same_digest,
    token_name,
)
from bot.domain.model import MemberRef, WorkspaceRef
from bot.services.admins import audit, require_admin
from bot.services.context import ServiceContext, in_transaction
from bot.services.ports import DuplicateDelivery, UnitOfWork

PREFIX_DRAWS = 5


@dataclass(frozen=True)
class Grant:
    """What a valid token allows: acting in one workspace, within its scope."""

    workspace: WorkspaceRef
    token: ApiToken

    @property
    def actor(self) -> MemberRef:
        """Who the audit log names for what this token does; an admin with `admin` scope."""
        return MemberRef(
            external_id=f"api:{TOKEN_PREFIX}{self.token.prefix}",
            display_name=f"{self.token.name} (API)",
            is_admin=self.token.scope == "admin",
        )


async def create_api_token(
    ctx: ServiceContext,
    workspace_ref: WorkspaceRef,
    actor: MemberRef,
    scope: str,
    lifetime: timedelta,
    name: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown this once (only its digest is kept). Admins
    only; audited."""
    checked: Scope = check_scope(scope)
    title = token_name(name, f"{checked} token")

    async def work(uow: UnitOfWork) -> tuple[ApiToken, str]:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "create API tokens")
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        now = ctx.clock.now()
        for _ in range(PREFIX_DRAWS):
            fresh = new_token()
            try:
                token = await uow.api_tokens.add(
                    workspace,
                    fresh.prefix,
                    fresh.digest,
                    title,
                    checked,
                    actor.display_name or actor.external_id,
                    now,
                    now + lifetime,
                )
            except DuplicateDelivery:
                continue  # a prefix drawn before, in 32^8: draw again
            await audit(
                uow,
                workspace,
                actor,
                "api_token.create",
                f"{TOKEN_PREFIX}{token.prefix}",
                {"name": title, "scope": checked, "expires_at": token.expires_at.isoformat()},
                now,
            )
            await uow.commit()
            return token, fresh.text
        raise AssertionError("no free token prefix in five draws")

    return await in_transaction(ctx, work)


async def list_api_tokens(ctx: ServiceContext, workspace_ref: WorkspaceRef) -> list[ApiToken]:
    """Every token of the workspace, revoked and expired ones included, oldest first."""

    async def read(uow: UnitOfWork) -> list[ApiToken]:
        workspace = await uow.workspaces.get(workspace_ref)
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        return await uow.api_tokens.all(workspace)

    return await in_transaction(ctx, read, write=False)


def _prefix(ref: str) -> str:
    """`abcd2345`, `kudos_abcd2345` or a whole token: the prefix it names."""
    text = ref.strip()
    return parse_token(text) or text.removeprefix(TOKEN_PREFIX)


async def revoke_api_token(
    ctx: ServiceContext, workspace_ref: WorkspaceRef, actor: MemberRef, ref: str
) -> ApiToken:
    """Revoke a token by its prefix: refused from its next request on. Admins only; audited."""
    prefix = _prefix(ref)

    async def work(uow: UnitOfWork) -> ApiToken:
        workspace = await uow.workspaces.get(workspace_ref)
        await require_admin(uow, workspace, actor, "revoke API tokens")
        if workspace is None:
            raise errors.UnknownWorkspace(workspace_ref.external_id)
        now = ctx.clock.now()
        known = {t.prefix: t for t in await uow.api_tokens.all(workspace)}
        if prefix not in known:
            raise errors.UnknownToken(ref.strip())
        if await uow.api_tokens.revoke(workspace, prefix, now):
            await audit(
                uow,
                workspace,
                actor,
                "api_token.revoke",
                f"{TOKEN_PREFIX}{prefix}",
                {"name": known[prefix].name},
                now,
            )
            await uow.commit()
        return known[prefix]

    return await in_transaction(ctx, work)


MISSING = (
    "This API needs an access token: send `Authorization: Bearer kudos_…` "
    "(an admin creates one with `kudos api-token create`)."
)


async def authenticate(ctx: ServiceContext, text: str | None) -> Grant:
    """The grant of a token presented with a request; TokenRefused (with its reason: missing,
    malformed, unknown, revoked, expired) otherwise. Reads only."""
    if not text:
        raise errors.TokenRefused("missing", MISSING)
    prefix = parse_token(text)
    if prefix is None:
        raise errors.TokenRefused(
            "malformed",
            "That isn't a Kudos API token: they look like kudos_abcd2345_… "
            "(`kudos api-token create` makes one).",
        )

    async def read(uow: UnitOfWork) -> Grant:
        found = await uow.api_tokens.by_prefix(prefix)
        if found is None or not same_digest(text, found[1]):
            raise errors.TokenRefused(
                "unknown",
                "That token isn't one I know: it may be mistyped, or belong to another server.",
            )
        token, _, workspace = found
        if token.revoked_at is not None:
            raise errors.TokenRefused(
                "revoked", "That token was revoked: ask an admin for a new one."
            )
        if token.expires_at <= ctx.clock.now():
            raise errors.TokenRefused(
                "expired",
                f"That token expired on {token.expires_at:%Y-%m-%d}: ask an admin for a new one.",
            )
        return Grant(workspace, token)

    return await in_transaction(ctx, read, write=False)
