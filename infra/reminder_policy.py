"""The county's reminder limits (提醒时限), from its policy file, section `reminders`.

`{"deadline_soon_days": 7, "overdue_every_days": 7, "referral_due_days": 3,
"self_report_last_days": 2, "webhook": {"attempts": 5, "base_delay_seconds": 2}}`; a file
without the section (or a key) gets these defaults. A value out of range stops the service at
start, naming the key.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from domain.reminders import ReminderPolicy
from infra.deliveries import RetryPolicy


def _section(path: str | Path) -> dict:
    data = orjson.loads(Path(path).read_bytes())
    section = data.get("reminders", {}) if isinstance(data, dict) else {}
    return section if isinstance(section, dict) else {}


def load_reminder_policy(path: str | Path) -> ReminderPolicy:
    section = _section(path)
    defaults = ReminderPolicy()
    return ReminderPolicy(**{name: int(section.get(name, getattr(defaults, name)))
                             for name in ("deadline_soon_days", "overdue_every_days",
                                          "referral_due_days", "self_report_last_days")})


def load_webhook_retries(path: str | Path) -> RetryPolicy:
    webhook = _section(path).get("webhook", {})
    attempts = int(webhook.get("attempts", RetryPolicy.attempts))
    base = float(webhook.get("base_delay_seconds", RetryPolicy.base_delay))
    if not 1 <= attempts <= 50 or not 0 < base <= 3600:
        raise ValueError(f"reminders.webhook: attempts 1–50, base_delay_seconds 0–3600 秒：{webhook!r}")
    return RetryPolicy(attempts=attempts, base_delay=base)
