"""The rule book itself: well formed, every rule enforced by the domain and tested here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain import rules
from domain.errors import RuleViolation
from domain.rules import RULES, Rule

HERE = Path(__file__).parent
DOMAIN = Path(rules.__file__).parent
ROLE_RULES = {"no-self-review", "joint-review-parties", "government-approver",
              "enforcement-by-regulator", "supervision-by-bureau", "agreement-signed-by-bureau",
              "regrade-by-authority", "evaluation-by-bureau", "subsidy-step-by-office"}


def _test_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(HERE.glob("test_*.py"))
                     if p.name != Path(__file__).name)


def test_every_rule_has_a_test():
    sources = _test_sources()
    untested = [code for code in RULES if f'"{code}"' not in sources]
    assert not untested, f"rules without a test in tests/domain: {untested}"


def test_every_rule_is_enforced_by_the_domain():
    code = "\n".join(p.read_text(encoding="utf-8") for p in DOMAIN.glob("*.py")
                     if p.name != "rules.py")
    names = [name for name, value in vars(rules).items() if isinstance(value, Rule)]
    assert len(names) == len(RULES)
    unused = [name for name in names if f"rules.{name}." not in code]
    assert not unused, f"rules never checked: {unused}"


@pytest.mark.parametrize("code", list(RULES))
def test_rule_is_well_formed(code):
    rule = RULES[code]
    assert rule.code == code
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
    assert rule.text.strip() and rule.source.strip()


@pytest.mark.parametrize("code", list(RULES))
def test_refusal_carries_code_text_and_detail(code):
    rule = RULES[code]
    err = rule.refuse("细节")
    assert isinstance(err, RuleViolation)
    assert err.rule == code
    assert err.message == f"{rule.text}：细节"
    assert str(err).startswith(f"[{code}] ")
    assert rule.refuse().message == rule.text


def test_require_raises_only_when_the_condition_fails():
    rules.HAZARD_NOT_OPEN.require(True)
    with pytest.raises(RuleViolation) as info:
        rules.HAZARD_NOT_OPEN.require(False, "当前状态 closed")
    assert info.value.rule == "hazard-not-open"
    assert "当前状态 closed" in info.value.message


def test_rules_about_who_may_act_say_so():
    assert ROLE_RULES <= set(RULES)
    for code, rule in RULES.items():
        assert rule.refuse().about_who == rule.about_who
        if code in ROLE_RULES:
            assert rule.about_who, code
