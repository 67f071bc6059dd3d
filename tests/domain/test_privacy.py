"""Erasure of personal information (个人信息删除, issue 16 §6): the record of an erasure. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from domain.privacy import ERASED, Erasure, PersonKind, erasure_id

from .conftest import ADMIN, AUDITOR, BUREAU, ENTERPRISE, TOWNSHIP

PERSON = "0b0c6f4e-3f57-4d55-9a55-6f7f4c1f0a01"
ON = date(2026, 12, 2)


def test_the_bureau_or_an_admin_records_an_erasure_under_the_persons_own_id():
    for who in (BUREAU, ADMIN):
        e = Erasure.record(person_id=PERSON, kind="responsible", reason="本人申请删除", erased_on=ON, actor=who)
        assert e.id == erasure_id(PERSON) and (e.kind, e.reason, e.erased_on) == ("responsible", "本人申请删除", ON)
        event = e.collect_events()[0]
        assert type(event).__qualname__ == "Erasure.Recorded"
        assert event.actor == who.record() and event.person_id == PERSON
    assert erasure_id(PERSON) == erasure_id(PERSON) != erasure_id(PERSON[:-1] + "2")


def test_nobody_else_erases():
    for who in (TOWNSHIP, ENTERPRISE, AUDITOR):
        with pytest.raises(Exception) as info:
            Erasure.record(person_id=PERSON, kind="expert", reason="本人申请", erased_on=ON, actor=who)
        assert info.value.rule == "erasure-by-bureau" and info.value.about_who


@pytest.mark.parametrize(("field", "values"), [
    ("reason", {"reason": "  "}), ("kind", {"kind": "neighbour"}), ("person_id", {"person_id": ""})])
def test_bad_input_names_its_field(field, values):
    kwargs = {"person_id": PERSON, "kind": "actor", "reason": "本人申请", "erased_on": ON, "actor": BUREAU, **values}
    with pytest.raises(Exception) as info:
        Erasure.record(**kwargs)
    assert info.value.field == field


def test_the_vocabulary():
    assert ERASED == "已删除"
    assert {k.value for k in PersonKind} == {"responsible", "expert", "signatory", "server", "signer", "actor"}
