"""`kudos teams package`: the app package (manifest and icons, zipped) to upload to Teams."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

TEAMS_DIR = Path(__file__).resolve().parents[3] / "teams"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^[a-zA-Z0-9.-]+(:[0-9]+)?$")


class PackageError(ValueError):
    """The package can't be built as asked (one sentence saying why)."""


def build_package(app_id: str | None, domain: str, out: Path, source: Path = TEAMS_DIR) -> Path:
    """Write the zip Teams accepts: manifest.json (with the bot's app id and the server's
    domain filled in), color.png and outline.png at its root."""
    if not app_id or not _GUID.match(app_id):
        raise PackageError(
            "the Teams package needs the bot's Microsoft app id (a GUID like "
            "00000000-0000-0000-0000-000000000000): pass --app-id or set MICROSOFT_APP_ID"
        )
    domain = domain.removeprefix("https://").removeprefix("http://").rstrip("/")
    if not _DOMAIN.match(domain):
        raise PackageError(f"{domain!r} is not a host name like kudos.example.com")
    manifest = (source / "manifest.json").read_text()
    manifest = manifest.replace("{{MICROSOFT_APP_ID}}", app_id).replace("{{DOMAIN}}", domain)
    json.loads(manifest)  # still valid JSON
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", manifest)
        for icon in ("color.png", "outline.png"):
            package.write(source / icon, icon)
    return out
