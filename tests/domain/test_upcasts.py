"""Upcasters (domain/upcasts.py, docs/events.md): they add what an older version lacked and
never change what was recorded; a version without all its upcasters is refused."""

from __future__ import annotations

import pytest

from domain.hazard import Hazard
from domain.referral import Referral
from domain.upcasts import hazard_reported_v1_v2, referral_referred_v1_v2, versioned


def test_an_old_state_gains_the_defaults_and_a_recorded_value_is_kept():
    old, recorded = {"level": "general"}, {"criterion": "gm10-3-1", "migrated": True}
    hazard_reported_v1_v2(old)
    hazard_reported_v1_v2(recorded)
    assert old == {"level": "general", "criterion": None, "migrated": False}
    assert recorded == {"criterion": "gm10-3-1", "migrated": True}
    meeting = {"meeting": "2026-05"}
    referral_referred_v1_v2(meeting)
    assert meeting == {"meeting": "2026-05"}


def test_the_versions_are_the_library_s_class_versions():
    assert (Hazard.Reported.class_version, Hazard.Regraded.class_version,
            Referral.Referred.class_version) == (2, 2, 2)
    assert getattr(Hazard.Closed, "class_version", 1) == 1


def test_a_version_without_every_upcaster_is_refused():
    class Event:
        pass
    with pytest.raises(TypeError, match="upcast_v2_v3"):
        versioned(Event, 3, upcast_v1_v2=hazard_reported_v1_v2)
    assert not hasattr(Event, "class_version")
