"""Bearer tokens (HS256 JWT): a token names a role, its scope and its holder.

The holder becomes the actor recorded on every event the token causes. Tokens carry a key
id (`kid`) in their header, so keys can be rotated without logging everyone out: new tokens
are signed with the current key, tokens signed with a retained older key stay valid until
they expire or the key is retired. Keys come from HAZARD_SECRET (current) and
HAZARD_PREVIOUS_SECRETS (comma-separated, still accepted), or — when HAZARD_SECRET is
unset — from `<HAZARD_DATA_DIR>/keys.json`, generated on first use (`hazard token rotate-key`).
Every token has an id (`jti`) and an expiry; revoked ids are refused (infra/revocations.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from domain.actor import Actor, Role
from infra.settings import Settings

ALGORITHM = "HS256"
SCOPE_KEYS = ("township", "sector", "agency_id", "enterprise_id", "insurer_id")


class InvalidToken(Exception):
    """No token, or one that is malformed, tampered with or expired."""


@dataclass(frozen=True)
class Principal:
    """The verified holder of a token: who they are and what they answer for."""

    actor: Actor
    token_id: str = ""
    township: str | None = None
    sector: str | None = None
    agency_id: str | None = None
    enterprise_id: str | None = None
    insurer_id: str | None = None  # an `insurer` token: its insurer (保险机构, issue 15 §3)

    @property
    def role(self) -> Role:
        return self.actor.role


def key_id(secret: str) -> str:
    """A key's public id: a short digest, so the header reveals nothing of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Keyring:
    current: str              # kid that signs new tokens
    keys: dict[str, str]      # kid → secret, all accepted

    @classmethod
    def of(cls, secret: str, *previous: str) -> Keyring:
        return cls(key_id(secret), {key_id(s): s for s in (secret, *previous) if s})

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        if settings.secret:
            return cls.of(settings.secret, *settings.previous_secrets)
        return _load_key_file(keys_path(settings))


def keys_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "keys.json"


def _load_key_file(path: Path) -> Keyring:
    if not path.exists():
        rotate_key(path)
    data = json.loads(path.read_text())
    return Keyring(data["current"], data["keys"])


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def rotate_key(path: Path, retire: tuple[str, ...] = ()) -> str:
    """Add a new current key to the key file (keeping the others unless retired); its kid."""
    data = json.loads(path.read_text()) if path.exists() else {"keys": {}}
    secret = secrets.token_urlsafe(48)
    kid = key_id(secret)
    keys = {k: v for k, v in data["keys"].items() if k not in retire}
    keys[kid] = secret
    _write_private(path, json.dumps({"current": kid, "keys": keys}, indent=1))
    return kid


class Tokens:
    VERIFIED_KEPT = 10_000  # tokens whose verification is remembered (then forgotten all at once)

    def __init__(self, keyring: Keyring | str, ttl_days: int = 365) -> None:
        self._keys = keyring if isinstance(keyring, Keyring) else Keyring.of(keyring)
        self._ttl = timedelta(days=ttl_days)
        self._verified: dict[str, tuple[Principal, float]] = {}  # token → (holder, expiry)

    @classmethod
    def from_settings(cls, settings: Settings) -> Tokens:
        return cls(Keyring.from_settings(settings), settings.token_ttl_days)

    def issue(self, *, role: str, name: str, township: str | None = None,
              sector: str | None = None, agency_id: str | None = None,
              enterprise_id: str | None = None, subject: str | None = None,
              insurer_id: str | None = None) -> str:
        role = Role(role)
        now = datetime.now(UTC)
        claims = {"sub": subject or str(uuid.uuid4()), "role": str(role), "name": name,
                  "iat": now, "exp": now + self._ttl, "jti": uuid.uuid4().hex}
        scope = {"township": township, "sector": sector, "agency_id": agency_id,
                 "enterprise_id": enterprise_id, "insurer_id": insurer_id}
        claims.update({k: v for k, v in scope.items() if v})
        kid = self._keys.current
        return jwt.encode(claims, self._keys.keys[kid], algorithm=ALGORITHM, headers={"kid": kid})

    def verify(self, token: str) -> Principal:
        """The token's holder, or InvalidToken. A token this keyring verified before is answered
        from memory until it expires: its signature, key id and claims cannot change (the
        keyring is fixed for the life of this object), only the clock can make it invalid."""
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        holder, expires = self._verify(token)
        if len(self._verified) >= self.VERIFIED_KEPT:
            self._verified.clear()
        self._verified[token] = (holder, expires)
        return holder

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            if kid not in self._keys.keys:
                raise InvalidToken(f"unknown key id {kid!r}")
            claims = jwt.decode(token, self._keys.keys[kid], algorithms=[ALGORITHM],
                                options={"require": ["sub", "role", "exp", "jti"]})
            actor = Actor(id=str(claims["sub"]), role=Role(claims["role"]),
                          name=str(claims.get("name") or claims["sub"]))
        except (jwt.PyJWTError, ValueError, KeyError) as e:
            raise InvalidToken(str(e)) from None
        return Principal(actor=actor, token_id=str(claims["jti"]),
                         **{k: claims.get(k) for k in SCOPE_KEYS}), float(claims["exp"])


def token_id(token: str) -> str:
    """The id (jti) of a token, read without checking its signature (for revocation)."""
    try:
        return str(jwt.decode(token, options={"verify_signature": False})["jti"])
    except (jwt.PyJWTError, KeyError) as e:
        raise InvalidToken(str(e)) from None
