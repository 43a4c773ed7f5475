"""The container image, checked without a Docker engine: the Dockerfile and .dockerignore as
Docker reads them, and the image's health check run against a real `kudos serve`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.slack_sender import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent
KUDOS = str(Path(sys.executable).parent / "kudos")


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    joined = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def env_of(args: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in args.split())


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore syntax (Go's filepath.Match plus `**`) as a regular expression."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def ignored(path: str) -> bool:
    """Whether Docker leaves `path` (relative to the context) out of the build context: the
    last matching pattern decides, and a pattern matching a parent directory covers its files."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        rules.append((keep, _pattern_regex(os.path.normpath(line.lstrip("!")).lstrip("/"))))
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for keep, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            verdict = not keep
    return verdict


def test_secrets_databases_environments_and_caches_stay_out_of_the_image() -> None:
    for path in (
        ".env",
        ".env.production",
        "deploy/.env",
        "kudos.db",
        "kudos.db-wal",
        "kudos.db-shm",
        "data/kudos.db",
        "data/kudos.db-wal",
        "kudos.db.migrate-lock",
        ".venv/bin/python",
        "venv/lib/python3.11/site-packages/x.py",
        ".git/HEAD",
        "bot/cli/__pycache__/ledger.cpython-311.pyc",
        ".pytest_cache/v/cache/nodeids",
        ".mypy_cache/3.11/bot.json",
        ".ruff_cache/CACHEDIR.TAG",
        ".hypothesis/examples/x",
        "kudos_bot.egg-info/PKG-INFO",
    ):
        assert ignored(path), f"{path} would be copied into the image"


def test_what_the_image_runs_is_in_the_build_context() -> None:
    for path in (
        "pyproject.toml",
        "requirements.lock",
        "README.md",
        "bot/__init__.py",
        "bot/cli/__init__.py",
        "bot/adapters/teams/cards.py",
        "migrations/env.py",
        "migrations/versions/0001_ledger_kudos_leaderboard_totals_and_.py",
        "teams/manifest.json",
        "teams/color.png",
    ):
        assert (ROOT / path).exists(), path
        assert not ignored(path), f"{path} is missing from the image"


def test_dependencies_install_before_the_source_is_copied() -> None:
    """A change to the source must not invalidate the dependency layer."""
    steps = instructions()
    install = next(i for i, (k, args) in enumerate(steps) if k == "RUN" and "pip install" in args)
    early_copies = [args for k, args in steps[:install] if k in {"COPY", "ADD"}]
    assert early_copies, "the install step must see the project metadata"
    for args in early_copies:
        *sources, _destination = args.split()
        for source in sources:
            assert source in {"pyproject.toml", "requirements.lock", "README.md", "bot/__init__.py"}
            assert (ROOT / source).is_file() and not ignored(source)
    source_copy = [i for i, (k, args) in enumerate(steps) if k == "COPY" and args == ". ."]
    assert source_copy and source_copy[0] > install


def test_the_server_runs_as_an_unprivileged_user_in_production_mode() -> None:
    steps = instructions()
    users = [(i, args) for i, (k, args) in enumerate(steps) if k == "USER"]
    assert users, "no USER: the server would run as root"
    last_user_at, user = users[-1]
    assert user.split(":")[0] not in {"root", "0"}
    cmd_at = max(i for i, (k, _) in enumerate(steps) if k == "CMD")
    assert last_user_at < cmd_at
    env: dict[str, str] = {}
    for k, args in steps:
        if k == "ENV":
            env.update(env_of(args))
    assert env["KUDOS_ENV"] == "production"
    volume = next(json.loads(args) for k, args in steps if k == "VOLUME")
    assert env["DATABASE_URL"].startswith(f"sqlite:///{volume[0]}/")
    assert any(
        k == "RUN" and "chown" in args and volume[0] in args and user.split(":")[0] in args
        for k, args in steps[:last_user_at]
    ), "the data volume must belong to the user the server runs as"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthcheck(env: dict[str, str]) -> int:
    """Run the image's HEALTHCHECK command (with this environment's Python) and return its exit
    status, as Docker would judge it."""
    args = next(args for k, args in instructions() if k == "HEALTHCHECK")
    command = json.loads(args[args.index("CMD") + len("CMD") :])
    assert command[0] == "/app/.venv/bin/python"
    return subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30, check=False
    ).returncode


def test_the_health_check_probes_healthz_of_the_server_as_the_image_configures_it(
    tmp_path: Path,
) -> None:
    image_env: dict[str, str] = {}
    for k, args in instructions():
        if k == "ENV":
            image_env.update(env_of(args))
    port = _free_port()
    env = {
        **os.environ,
        **image_env,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path}/kudos.db",
        "SLACK_BOT_TOKEN": "xoxb-container-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "KUDOS_SESSION_SECRET": "kP3v9QyX1bZr7LwT2nHc8fJd5sGm4aEu6Ro0",
    }
    assert _healthcheck(env) != 0, "nothing listens yet: the check must fail"
    server = subprocess.Popen(
        [KUDOS, "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while _healthcheck(env) != 0:
            assert server.poll() is None, "kudos serve exited"
            assert time.monotonic() < deadline, "the health check never passed"
            time.sleep(0.3)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "Teams is off" in output, "production keeps the unauthenticated Teams endpoint off"


def test_a_container_without_credentials_stops_at_once_and_says_why(tmp_path: Path) -> None:
    image_env: dict[str, str] = {}
    for k, args in instructions():
        if k == "ENV":
            image_env.update(env_of(args))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_"))
    }
    env.update(image_env, DATABASE_URL=f"sqlite:///{tmp_path}/kudos.db")
    result = subprocess.run(
        [KUDOS, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "credentials" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "kudos.db").exists()


def test_the_source_is_compiled_once_in_the_image_not_on_every_command() -> None:
    """The server's user cannot write bytecode next to the read-only source (and the image
    sets PYTHONDONTWRITEBYTECODE): it must be compiled at build time, after the source."""
    steps = instructions()
    source_copy = max(i for i, (k, args) in enumerate(steps) if k == "COPY" and args == ". .")
    compiled = [
        i
        for i, (k, args) in enumerate(steps)
        if k == "RUN" and "compileall" in args and " bot" in args
    ]
    assert compiled and compiled[0] > source_copy
