# Kudos in a container. The install step is the README's, verbatim (tests/test_docs.py checks it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app

# Dependencies first, in their own layer: a change to the source does not reinstall them.
# The editable install needs the project's metadata and its package directory; it points at
# /app/bot, so the source copied afterwards is what runs.
COPY pyproject.toml requirements.lock README.md ./
COPY bot/__init__.py bot/__init__.py
RUN python3 -m venv .venv && .venv/bin/pip install -q -c requirements.lock -e .

# The source stays owned by root: the server can read it, not change it.
COPY . .
# Its bytecode is compiled here, once: nothing at run time may write it (read-only source,
# PYTHONDONTWRITEBYTECODE), and without it every `kudos` command would compile all of bot/.
RUN .venv/bin/python -m compileall -q bot migrations

# An unprivileged user owns only the data volume.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin kudos \
    && mkdir -p /data && chown kudos:kudos /data
USER kudos

# SQLite on a volume by default; set DATABASE_URL=postgresql://... for PostgreSQL.
# Production refuses to start without Slack or Teams credentials and keeps Teams' endpoint off
# without MICROSOFT_APP_ID.
ENV KUDOS_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/kudos.db
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/.venv/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"]
CMD ["/app/.venv/bin/kudos", "serve"]
