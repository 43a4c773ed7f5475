# Kudos in a container. The install step is the README's, verbatim (tests/test_docs.py checks it).
FROM python:3.11-slim

WORKDIR /app
COPY . .
RUN python3 -m venv .venv && .venv/bin/pip install -q -c requirements.lock -e .

# SQLite on a volume by default; set DATABASE_URL=postgresql://... for PostgreSQL.
ENV PORT=3000 \
    DATABASE_URL=sqlite:////data/kudos.db
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK CMD python3 -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD [".venv/bin/kudos", "serve"]
