# HazardLedger: `hazard serve` against the PostgreSQL and NATS named by DATABASE_URL / NATS_URL
# (see docker-compose.yml). Without them it would start embedded servers under HAZARD_DATA_DIR.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HAZARD_DATA_DIR=/data

WORKDIR /app

# Only what the package needs (never .venv, var/ with its secret and database, or .git).
# README* is a wildcard so the build works whether or not README.md exists yet.
COPY pyproject.toml README* ./
COPY domain/ domain/
COPY services/ services/
COPY projections/ projections/
COPY infra/ infra/

RUN pip install ".[s3]" \
 && useradd --system --create-home --home-dir /home/hazard --uid 10001 hazard \
 && mkdir -p /data \
 && chown hazard:hazard /data

USER hazard
EXPOSE 8000

CMD ["hazard", "serve", "--host", "0.0.0.0"]
