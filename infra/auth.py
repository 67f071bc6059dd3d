"""Bearer tokens (HS256 JWT): a token names a role, its scope and its holder.

The holder becomes the actor recorded on every event the token causes. The signing
secret is HAZARD_SECRET, or one generated once and kept in `<HAZARD_DATA_DIR>/secret`.
"""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from domain.actor import Actor, Role
from infra.settings import Settings

ALGORITHM = "HS256"
SCOPE_KEYS = ("township", "sector", "agency_id", "enterprise_id")


class InvalidToken(Exception):
    """No token, or one that is malformed, tampered with or expired."""


@dataclass(frozen=True)
class Principal:
    """The verified holder of a token: who they are and what they answer for."""

    actor: Actor
    township: str | None = None
    sector: str | None = None
    agency_id: str | None = None
    enterprise_id: str | None = None

    @property
    def role(self) -> Role:
        return self.actor.role


def load_secret(settings: Settings) -> str:
    if settings.secret:
        return settings.secret
    path = Path(settings.data_dir) / "secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Tokens:
    def __init__(self, secret: str, ttl_days: int = 365) -> None:
        self._secret = secret
        self._ttl = timedelta(days=ttl_days)

    @classmethod
    def from_settings(cls, settings: Settings) -> Tokens:
        return cls(load_secret(settings), settings.token_ttl_days)

    def issue(self, *, role: str, name: str, township: str | None = None,
              sector: str | None = None, agency_id: str | None = None,
              enterprise_id: str | None = None, subject: str | None = None) -> str:
        role = Role(role)
        now = datetime.now(UTC)
        claims = {"sub": subject or str(uuid.uuid4()), "role": str(role), "name": name,
                  "iat": now, "exp": now + self._ttl, "jti": uuid.uuid4().hex}
        scope = {"township": township, "sector": sector, "agency_id": agency_id,
                 "enterprise_id": enterprise_id}
        claims.update({k: v for k, v in scope.items() if v})
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM],
                                options={"require": ["sub", "role", "exp"]})
            actor = Actor(id=str(claims["sub"]), role=Role(claims["role"]),
                          name=str(claims.get("name") or claims["sub"]))
        except (jwt.PyJWTError, ValueError, KeyError) as e:
            raise InvalidToken(str(e)) from None
        return Principal(actor=actor, **{k: claims.get(k) for k in SCOPE_KEYS})
