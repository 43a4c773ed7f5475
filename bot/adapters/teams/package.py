"""`kudos teams package`: the app package (manifest and icons, zipped) to upload to Teams."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

TEAMS_DIR = Path(__file__).resolve().parents[3] / "teams"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^[a-zA-Z0-9.-]+(:[0-9]+)?$")
_HTTPS_URL = re.compile(r"^https://[^\s/?#]+[^\s]*$")
DEVELOPER_NAME_MAX = 32
"""Teams' manifest schema (1.29) allows this many characters in developer.name."""
URL_MAX = 2048


class PackageError(ValueError):
    """The package can't be built as asked (one sentence saying why)."""


def _https_url(option: str, url: str) -> str:
    if not _HTTPS_URL.match(url) or len(url) > URL_MAX:
        raise PackageError(f"{option} must be an https:// address, like https://kudos.example.com/")
    return url


def build_manifest(
    app_id: str | None,
    domain: str,
    *,
    developer_name: str | None = None,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    source: Path = TEAMS_DIR,
) -> dict[str, Any]:
    """teams/manifest.json with the bot's app id, the server's domain and the developer's name
    and pages filled in. The pages default to those `kudos serve` answers at the domain:
    https://<domain>/, /privacy and /terms."""
    if not app_id or not _GUID.match(app_id):
        raise PackageError(
            "the Teams package needs the bot's Microsoft app id (a GUID like "
            "00000000-0000-0000-0000-000000000000): pass --app-id or set MICROSOFT_APP_ID"
        )
    domain = domain.removeprefix("https://").removeprefix("http://").rstrip("/")
    if not _DOMAIN.match(domain):
        raise PackageError(f"{domain!r} is not a host name like kudos.example.com")
    name = (developer_name if developer_name is not None else domain.split(":")[0]).strip()
    if not name or len(name) > DEVELOPER_NAME_MAX:
        raise PackageError(
            f"Teams shows the developer's name in at most {DEVELOPER_NAME_MAX} characters: "
            "pass --developer-name with your organisation's name"
        )
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    manifest["id"] = app_id
    for bot in manifest["bots"]:
        bot["botId"] = app_id
    manifest["developer"].update(
        name=name,
        websiteUrl=_https_url("--website", website_url or f"https://{domain}/"),
        privacyUrl=_https_url("--privacy-url", privacy_url or f"https://{domain}/privacy"),
        termsOfUseUrl=_https_url("--terms-url", terms_url or f"https://{domain}/terms"),
    )
    manifest["validDomains"] = [domain]
    return manifest


def build_package(
    app_id: str | None,
    domain: str,
    out: Path,
    *,
    developer_name: str | None = None,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    source: Path = TEAMS_DIR,
) -> Path:
    """Write the zip Teams accepts: manifest.json (see `build_manifest`), color.png and
    outline.png at its root."""
    manifest = build_manifest(
        app_id,
        domain,
        developer_name=developer_name,
        website_url=website_url,
        privacy_url=privacy_url,
        terms_url=terms_url,
        source=source,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ("color.png", "outline.png"):
            package.write(source / icon, icon)
    return out
