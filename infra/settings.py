"""Settings: read once from the environment, then injected everywhere else."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infra.calendar import DEFAULT_FILE as CALENDAR_FILE
from infra.criteria import CHECKLISTS_DIR, CRITERIA_DIR
from infra.reference import DEFAULT_FILE

DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024  # an evidence file (photo or PDF): 10 MiB
FILE_STORES = ("postgres", "s3")  # HAZARD_FILE_STORE: where evidence files' bytes are kept


@dataclass(frozen=True)
class Settings:
    data_dir: Path             # HAZARD_DATA_DIR: embedded servers, the token secret
    database_url: str | None   # DATABASE_URL: unset → embedded PostgreSQL (pgserver)
    nats_url: str | None       # NATS_URL: unset → embedded nats-server (issue 5)
    secret: str | None         # HAZARD_SECRET: unset → keys generated and kept in the data folder
    previous_secrets: tuple[str, ...]  # HAZARD_PREVIOUS_SECRETS: older keys still accepted
    county_file: Path          # HAZARD_COUNTY_FILE: townships and sectors
    db_schema: str             # HAZARD_DB_SCHEMA: PostgreSQL schema of the event store
    pool_size: int             # HAZARD_DB_POOL_SIZE: connections to PostgreSQL
    token_ttl_days: int        # HAZARD_TOKEN_TTL_DAYS: lifetime of issued tokens
    cipher_key: str | None     # HAZARD_CIPHER_KEY: set → stored events encrypted (AES-256-GCM)
    policy_file: Path | None   # HAZARD_POLICY_FILE: 三不放过 time limits (default: Ninghai's)
    api_workers: int = 2       # HAZARD_API_WORKERS: processes `hazard serve` answers HTTP from
    file_max_bytes: int = DEFAULT_FILE_MAX_BYTES  # HAZARD_FILE_MAX_BYTES: largest evidence file
    criteria_dir: Path = CRITERIA_DIR      # HAZARD_CRITERIA_DIR: criteria for major hazards (docs/criteria.md)
    checklists_dir: Path = CHECKLISTS_DIR  # HAZARD_CHECKLISTS_DIR: checklist templates
    calendar_file: Path = CALENDAR_FILE    # HAZARD_CALENDAR_FILE: public holidays by year (工作日历)
    file_store: str = "postgres"  # HAZARD_FILE_STORE: postgres (beside the events) or s3 (docs/files.md)
    s3_endpoint: str | None = None     # HAZARD_S3_ENDPOINT: e.g. http://minio:9000
    s3_bucket: str | None = None       # HAZARD_S3_BUCKET: created if missing
    s3_access_key: str | None = None   # HAZARD_S3_ACCESS_KEY: unset → boto3's own credential chain
    s3_secret_key: str | None = field(default=None, repr=False)  # HAZARD_S3_SECRET_KEY
    s3_region: str = "us-east-1"       # HAZARD_S3_REGION
    s3_prefix: str = "files/"          # HAZARD_S3_PREFIX: objects are <prefix>ab/cd/<sha256>
    # issue 14 §5, reminders (docs/reminders.md): the networks webhook URLs may resolve into
    webhook_allow: str = "127.0.0.0/8,::1/128"  # HAZARD_WEBHOOK_ALLOW, comma-separated
    # issue 18 §3: copies JetStream keeps of each stream (3 on a three-node cluster: nats-config --cluster 3)
    nats_replicas: int = 1  # HAZARD_NATS_REPLICAS, 1–5

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            data_dir=Path(env.get("HAZARD_DATA_DIR") or "./var").resolve(),
            database_url=env.get("DATABASE_URL") or None,
            nats_url=env.get("NATS_URL") or None,
            secret=env.get("HAZARD_SECRET") or None,
            previous_secrets=tuple(s for s in (env.get("HAZARD_PREVIOUS_SECRETS") or "").split(",") if s),
            county_file=Path(env.get("HAZARD_COUNTY_FILE") or DEFAULT_FILE),
            db_schema=env.get("HAZARD_DB_SCHEMA") or "public",
            pool_size=int(env.get("HAZARD_DB_POOL_SIZE") or 10),
            token_ttl_days=int(env.get("HAZARD_TOKEN_TTL_DAYS") or 365),
            cipher_key=env.get("HAZARD_CIPHER_KEY") or None,
            policy_file=Path(env["HAZARD_POLICY_FILE"]) if env.get("HAZARD_POLICY_FILE") else None,
            api_workers=max(1, int(env.get("HAZARD_API_WORKERS") or 2)),
            file_max_bytes=max(1, int(env.get("HAZARD_FILE_MAX_BYTES") or DEFAULT_FILE_MAX_BYTES)),
            criteria_dir=Path(env.get("HAZARD_CRITERIA_DIR") or CRITERIA_DIR),
            checklists_dir=Path(env.get("HAZARD_CHECKLISTS_DIR") or CHECKLISTS_DIR),
            calendar_file=Path(env.get("HAZARD_CALENDAR_FILE") or CALENDAR_FILE),
            **_file_store(env),
            webhook_allow=env.get("HAZARD_WEBHOOK_ALLOW") or "127.0.0.0/8,::1/128",  # reminders (issue 14)
            nats_replicas=_replicas(env.get("HAZARD_NATS_REPLICAS")),
        )


def _replicas(value: str | None) -> int:
    """HAZARD_NATS_REPLICAS: 1 to 5 (JetStream's limit); anything else is refused by name."""
    replicas = int(value or 1) if (value or "1").strip().isdigit() else 0
    if not 1 <= replicas <= 5:
        raise ValueError(f"HAZARD_NATS_REPLICAS 须为 1–5 的整数（JetStream 副本数），收到 {value!r}")
    return replicas


def _file_store(env: Mapping[str, str]) -> dict[str, str | None]:
    """HAZARD_FILE_STORE and, for `s3`, the object store's address (ValueError naming what is
    wrong: a store that cannot work is refused when the settings are read, not at the first upload)."""
    store = (env.get("HAZARD_FILE_STORE") or "postgres").strip().lower()
    if store not in FILE_STORES:
        raise ValueError(f"HAZARD_FILE_STORE={store!r}: expected one of {', '.join(FILE_STORES)}")
    s3 = {name: env.get(f"HAZARD_S3_{name.upper()}") or None
          for name in ("endpoint", "bucket", "access_key", "secret_key")}
    if store == "s3":
        missing = [f"HAZARD_S3_{n.upper()}" for n in ("endpoint", "bucket") if not s3[n]]
        if missing:
            raise ValueError(f"HAZARD_FILE_STORE=s3 needs {' and '.join(missing)}")
        if bool(s3["access_key"]) != bool(s3["secret_key"]):
            raise ValueError("HAZARD_S3_ACCESS_KEY and HAZARD_S3_SECRET_KEY go together")
    prefix = (env.get("HAZARD_S3_PREFIX") or "files/").lstrip("/")
    return {"file_store": store, **{f"s3_{k}": v for k, v in s3.items()},
            "s3_region": env.get("HAZARD_S3_REGION") or "us-east-1",
            "s3_prefix": prefix if prefix.endswith("/") else prefix + "/"}
