"""Domain exceptions: a broken rule (409 at the edge) or an invalid value (422)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the domain makes."""


class RuleViolation(DomainError):
    """A lifecycle rule refused the command. `rule` is the code in `domain.rules.RULES`."""

    def __init__(self, rule: str, message: str, *, about_who: bool = False) -> None:
        super().__init__(f"[{rule}] {message}")
        self.rule = rule
        self.message = message
        self.about_who = about_who  # the rule is about who may act, not about the state


class InvalidValue(DomainError):
    """A value is malformed or out of range. `field` names it as the client sent it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
