"""teams/manifest.json and the one `kudos teams package` writes follow Teams' published manifest
schema (1.29, vendored in tests/fixtures/teams), and the pages they link to are served."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from bot.adapters.teams.package import PackageError, build_manifest, build_package
from tests.adapters.conftest import running_teams
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests/fixtures/teams/teams-manifest-v1.29.schema.json").read_text())
APP_ID = "11111111-2222-3333-4444-555555555555"


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    """Every way `manifest` breaks the schema. The schema declares draft-04 but uses `const`
    (the manifest version) and `if`/`then` from later drafts, so it is read as draft 7, which
    understands all three."""
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(manifest)]


def test_the_checked_in_manifest_follows_the_1_29_schema() -> None:
    manifest = json.loads((ROOT / "teams/manifest.json").read_text())
    assert manifest["manifestVersion"] == "1.29"
    assert manifest["$schema"].endswith("/teams/v1.29/MicrosoftTeams.schema.json")
    assert schema_errors(manifest) == []


def test_the_schema_refuses_what_teams_would_refuse() -> None:
    manifest = json.loads((ROOT / "teams/manifest.json").read_text())
    assert schema_errors({**manifest, "manifestVersion": "1.17"})
    assert schema_errors({**manifest, "id": "{{MICROSOFT_APP_ID}}"})
    assert schema_errors({**manifest, "developer": {**manifest["developer"], "name": "x" * 33}})


def test_the_package_fills_the_developer_from_the_options(tmp_path: Path) -> None:
    out = build_package(
        APP_ID,
        "https://kudos.acme.example/",
        tmp_path / "kudos-teams.zip",
        developer_name="Acme Learning Guild",
        website_url="https://intranet.acme.example/kudos",
        privacy_url="https://intranet.acme.example/privacy",
        terms_url="https://intranet.acme.example/terms",
    )
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert schema_errors(manifest) == []
    assert manifest["developer"] == {
        "name": "Acme Learning Guild",
        "websiteUrl": "https://intranet.acme.example/kudos",
        "privacyUrl": "https://intranet.acme.example/privacy",
        "termsOfUseUrl": "https://intranet.acme.example/terms",
    }
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["kudos.acme.example"]


def test_by_default_the_developer_pages_are_the_servers_own() -> None:
    manifest = build_manifest(APP_ID, "kudos.acme.example:8443")
    assert schema_errors(manifest) == []
    assert manifest["developer"] == {
        "name": "kudos.acme.example",
        "websiteUrl": "https://kudos.acme.example:8443/",
        "privacyUrl": "https://kudos.acme.example:8443/privacy",
        "termsOfUseUrl": "https://kudos.acme.example:8443/terms",
    }


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"developer_name": "The Very Long Name Of A Learning Guild"}, "--developer-name"),
        ({"developer_name": "  "}, "--developer-name"),
        ({"privacy_url": "http://kudos.acme.example/privacy"}, "--privacy-url"),
        ({"terms_url": "kudos.acme.example/terms"}, "--terms-url"),
        ({"website_url": "https://"}, "--website"),
    ],
)
def test_a_bad_option_is_one_sentence_and_writes_no_package(
    tmp_path: Path, options: dict[str, str], says: str
) -> None:
    out = tmp_path / "kudos-teams.zip"
    with pytest.raises(PackageError) as refused:
        build_package(APP_ID, "kudos.acme.example", out, **options)
    assert says in str(refused.value) and str(refused.value).count(". ") == 0
    assert not out.exists()


async def test_the_privacy_and_terms_links_of_the_package_are_served(
    sqlite_url: str, clock: FakeClock
) -> None:
    manifest = build_manifest(APP_ID, "kudos.acme.example")
    async for teams in running_teams(sqlite_url, clock):
        privacy = await teams.http.get(
            teams.url + urlsplit(manifest["developer"]["privacyUrl"]).path
        )
        terms = await teams.http.get(
            teams.url + urlsplit(manifest["developer"]["termsOfUseUrl"]).path
        )
    assert privacy.status_code == 200 and privacy.headers["content-type"].startswith("text/html")
    for what in ("self-hosted", "display name", "reason", "til", "Learnings", "administrators"):
        assert what in privacy.text, what
    assert terms.status_code == 200 and terms.headers["content-type"].startswith("text/html")
    assert "self-hosted" in terms.text and "no cash value" in terms.text
