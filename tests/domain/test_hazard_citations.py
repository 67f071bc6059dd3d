"""A hazard citing a criterion (判定标准条款) and evidence citing files (sha256:<hex>), in the domain."""

from __future__ import annotations

import pytest

from domain.criteria import Criterion, Regulation
from domain.evidence import cited_files, evidence_entries
from domain.errors import InvalidValue
from eventsourcing.persistence import EventStore, Mapper, Transcoder

from .conftest import (AGENCY, BUREAU, REGULATOR, REVIEWED, TODAY, TOWNSHIP, assign, file_plan, hazard,
                       refused, rejected, rectify)

GM10 = Regulation("gm10", "工贸企业重大事故隐患判定标准", "中华人民共和国应急管理部令第10号")
AH16 = Regulation("ah16", "安全生产事故隐患排查治理暂行规定", "国家安全生产监督管理总局令第16号")
MAJOR = Criterion("gm10-4-1", GM10, 4, 1, ("trade",), "人员聚集场所…", True)
OTHER_MAJOR = Criterion("gm10-4-2", GM10, 4, 2, ("trade",), "…", True)
DUTY = Criterion("ah16-8", AH16, 8, None, ("trade",), "…", False)
SHA = "ab" * 32


def test_a_major_hazard_cites_a_major_criterion():
    h = hazard("major", criterion=MAJOR)
    assert h.criterion == "gm10-4-1"
    assert h.pending_events[-1].criterion == "gm10-4-1"  # the event keeps the id: the chain covers it


def test_citing_a_major_criterion_while_reporting_general_is_refused():
    with pytest.raises(Exception) as info:
        hazard("general", criterion=MAJOR)
    assert getattr(info.value, "rule", None) == "major-criterion"
    assert "第四条第（一）项" in str(info.value)


def test_a_general_hazard_may_cite_a_duty_and_none_cites_nothing():
    assert hazard("general", criterion=DUTY).criterion == "ah16-8"
    assert hazard("general").criterion is None


def test_regrading_down_a_major_citation_needs_a_reason_and_drops_it():
    h = hazard("major", criterion=MAJOR)
    rejected(h, "reason", h.regrade, level="general", reason="", actor=BUREAU, cited=MAJOR)
    h.regrade(level="general", reason="复核：该场所不属于人员聚集场所", actor=BUREAU, cited=MAJOR)
    assert (h.level, h.criterion) == ("general", None)
    assert h.pending_events[-1].criterion is None


def test_regrading_citing_a_major_criterion_as_general_is_refused():
    h = hazard("major", criterion=MAJOR)
    refused(h, "major-criterion", h.regrade, level="general", reason="…", actor=BUREAU,
            criterion=OTHER_MAJOR, cited=MAJOR)


def test_regrading_up_cites_a_criterion_and_keeps_a_duty():
    h = hazard("general")
    h.regrade(level="major", reason="符合判定标准", actor=AGENCY, criterion=MAJOR)
    assert (h.level, h.criterion) == ("major", "gm10-4-1")
    d = hazard("general", criterion=DUTY)
    d.regrade(level="major", reason="…", actor=BUREAU, cited=DUTY)
    assert (d.level, d.criterion) == ("major", "ah16-8")


def test_recitation_at_the_same_level_is_a_regrade_the_same_citation_is_not():
    h = hazard("major", criterion=MAJOR)
    h.regrade(level="major", reason="条款更正", actor=BUREAU, criterion=OTHER_MAJOR, cited=MAJOR)
    assert h.criterion == "gm10-4-2"
    refused(h, "regrade-changes-level", h.regrade, level="major", reason="…", actor=BUREAU,
            criterion=OTHER_MAJOR, cited=OTHER_MAJOR)


@pytest.mark.parametrize("entries, normal", [
    (["整改后照片已存档"], ["整改后照片已存档"]),
    ([f"SHA256:{SHA.upper()}"], [f"sha256:{SHA}"]),
    ([f"sha256: {SHA} "], [f"sha256:{SHA}"]),
])
def test_evidence_text_and_citations(entries, normal):
    assert evidence_entries("evidence", entries) == normal


@pytest.mark.parametrize("bad", ["sha256:abc", "sha256:" + "g" * 64, "sha256:" + "a" * 65, "sha256:"])
def test_a_malformed_citation_is_refused_naming_it(bad):
    with pytest.raises(InvalidValue) as info:
        hazard("general", evidence=[bad])
    assert info.value.field == "evidence" and bad[:20] in info.value.message


def test_cited_files_are_the_hashes_once_each():
    assert cited_files([f"sha256:{SHA}", "文字", f"sha256:{SHA}", "sha256:" + "cd" * 32]) == [SHA, "cd" * 32]


def test_rectification_and_review_keep_cited_files():
    h = assign(hazard("general"))
    h.report_rectification(evidence=[f"sha256:{SHA}"], cost="10", rectified_on=REVIEWED, today=TODAY,
                           actor=AGENCY)
    assert h.rectification["evidence"] == [f"sha256:{SHA}"]
    h.review_rectification(passed=True, notes="", reviewed_on=REVIEWED, today=TODAY, actor=TOWNSHIP,
                           evidence=[f"sha256:{'cd' * 32}", "现场照片"])
    assert h.review["evidence"] == [f"sha256:{'cd' * 32}", "现场照片"]


def test_joint_review_signatures_keep_cited_files():
    h = rectify(file_plan(assign(hazard("major", criterion=MAJOR))))
    for actor in (TOWNSHIP, REGULATOR, AGENCY):
        h.review_rectification(passed=True, notes="", reviewed_on=REVIEWED, today=TODAY, actor=actor,
                               evidence=[f"sha256:{SHA}"])
    assert {p: s["evidence"] for p, s in h.joint_review.items()} == {
        "township": [f"sha256:{SHA}"], "regulator": [f"sha256:{SHA}"], "agency": [f"sha256:{SHA}"]}


def test_events_stored_before_issue_13_still_load():
    """Reported and Regraded events without `criterion` (as stored before issue 13) load: the
    hazard cites no criterion."""
    from eventsourcing.popo import POPOAggregateRecorder

    from infra.transcoder import OrjsonTranscoder

    h = assign(hazard("general"))
    h.regrade(level="major", reason="…", actor=BUREAU)
    transcoder: Transcoder = OrjsonTranscoder()
    mapper = Mapper(transcoder=transcoder)
    old = []
    for e in h.collect_events():
        stored = mapper.to_stored_event(e)
        state = transcoder.decode(stored.state)
        assert "criterion" in state or "ResponsibilityAssigned" in stored.topic
        state.pop("criterion", None)
        old.append(type(stored)(originator_id=stored.originator_id, originator_version=stored.originator_version,
                                topic=stored.topic, state=transcoder.encode(state)))
    recorder = POPOAggregateRecorder()
    recorder.insert_events(old)
    loaded = None
    for event in EventStore(mapper, recorder).get(h.id):
        loaded = event.mutate(loaded)
    assert (loaded.level, loaded.criterion, loaded.responsible_person) == ("major", None, "张三")
