"""A hazard citing photos (sha256:<hex>) and a criterion, over HTTP (issue 13 points 2 and 3):
whoever may read the hazard reads its photos, nobody else; an unknown hash or criterion is
refused naming it, nothing stored; a major criterion reported as general is 409 `major-criterion`."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from psycopg import sql

from tests.conftest import actor, credit_code, stored_count
from tests.services.test_files import jpeg, photo_exif

API = "/api/v1"
HOME, ELSEWHERE = "330226001", "330226002"


@pytest.fixture
def plant(ledger):
    return ledger.register_enterprise(actor("bureau"), credit_code=credit_code(), name="某冶金厂",
                                      township=HOME, sector="trade", scale="small_micro").id


@pytest.fixture
def owner(auth, plant):
    return auth("enterprise", enterprise_id=plant)


def citations(ledger) -> list[tuple]:
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        curs.execute(sql.SQL("SELECT sha256, kind, record_id::text AS r, position FROM {} ORDER BY position")
                     .format(sql.Identifier(datastore.schema, "file_citations")))
        return [(r["sha256"], r["kind"], r["r"], r["position"]) for r in curs.fetchall()]


def upload(client, headers, data: bytes) -> str:
    answer = client.post(f"{API}/files", files={"file": ("IMG_2041.jpg", data, "image/jpeg")}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["sha256"]


def report(client, headers, plant, **fields):
    body = {"enterprise_id": plant, "source": "self_check", "category": "unsafe_condition",
            "description": "休息室设在熔炼炉辐射影响范围内", "level": "major", "discovered_on": "2026-06-05",
            **fields}
    return client.post(f"{API}/hazards", json=body, headers=headers)


def reads(client, headers, sha: str) -> list[int]:
    return [client.get(f"{API}/files/{sha}{tail}", headers=headers).status_code
            for tail in ("", "/thumbnail", "/metadata")]


def test_the_township_of_a_hazard_citing_a_photo_reads_it_another_township_may_not(client, auth, ledger,
                                                                                  plant, owner):
    data = jpeg(exif=photo_exif())
    sha = upload(client, owner, data)
    assert sha == hashlib.sha256(data).hexdigest()
    home, elsewhere = auth("township", township=HOME), auth("township", township=ELSEWHERE)
    assert reads(client, home, sha) == [403, 403, 403]  # cited by no record yet: the uploader's alone

    answer = report(client, owner, plant, evidence=[f"sha256:{sha.upper()}", "现场照片两张"],
                    criterion="gm10-4-1")
    assert answer.status_code == 201, answer.text
    hazard = answer.json()
    assert citations(ledger) == [(sha, "hazard", hazard["id"], hazard["position"])]

    assert reads(client, home, sha) == [200, 200, 200]
    photo = client.get(f"{API}/files/{sha}", headers=home)
    assert photo.content == data and photo.headers["content-type"] == "image/jpeg"
    assert reads(client, elsewhere, sha) == [403, 403, 403]
    refused = client.get(f"{API}/files/{sha}", headers=elsewhere).json()
    assert refused["rule"] == "access:file.read"
    assert reads(client, auth("regulator", sector="trade"), sha) == [200, 200, 200]  # reads hazards of its sector
    assert reads(client, auth("regulator", sector="chem"), sha) == [403, 403, 403]

    state = client.get(f"{API}/hazards/{hazard['id']}", headers=home).json()
    assert state["evidence"] == [f"sha256:{sha}", "现场照片两张"]
    assert state["criterion"] == "gm10-4-1"
    assert state["criterion_article"] == "《工贸企业重大事故隐患判定标准》第四条第（一）项"
    reported = client.get(f"{API}/hazards/{hazard['id']}/history", headers=home).json()[0]["data"]
    assert reported["criterion_article"] == "《工贸企业重大事故隐患判定标准》第四条第（一）项"


def test_rectification_and_review_cite_photos_the_reviewer_reads_them(client, auth, ledger, plant, owner):
    bureau = actor("bureau")
    hazard = ledger.report_hazard(bureau, enterprise_id=plant, source="government_check",
                                  category="unsafe_condition", description="配电箱无门", level="general",
                                  discovered_on=date(2026, 6, 1)).id
    ledger.assign_responsibility(bureau, hazard, responsible_person="张三", deadline=date(2026, 6, 20),
                                 assigned_on=date(2026, 6, 2))
    after = upload(client, owner, jpeg(colour=(200, 200, 40)))
    rectified = client.post(f"{API}/hazards/{hazard}/rectify", headers=owner,
                            json={"evidence": [f"sha256:{after}"], "cost": "800", "rectified_on": "2026-06-10"})
    assert rectified.status_code == 200, rectified.text
    home = auth("township", township=HOME)
    assert reads(client, home, after) == [200, 200, 200]
    seen = upload(client, home, jpeg(colour=(10, 200, 40)))
    reviewed = client.post(f"{API}/hazards/{hazard}/review", headers=home,
                           json={"passed": True, "reviewed_on": "2026-06-12", "evidence": [f"sha256:{seen}"]})
    assert reviewed.status_code == 200, reviewed.text
    assert reads(client, owner, seen) == [200, 200, 200]  # the enterprise reads what its reviewer cited
    assert {(s, p) for s, _, _, p in citations(ledger)} == {
        (after, rectified.json()["position"]), (seen, reviewed.json()["position"])}


def test_an_unknown_hash_is_refused_naming_it_nothing_stored(client, ledger, plant, owner):
    before = stored_count(ledger)
    unknown = "0" * 64
    answer = report(client, owner, plant, evidence=[f"sha256:{unknown}"])
    assert answer.status_code == 422
    assert answer.json()["field"] == "evidence" and unknown in answer.json()["message"]
    malformed = report(client, owner, plant, evidence=["sha256:12ab"])
    assert malformed.status_code == 422 and "sha256:12ab" in malformed.json()["message"]
    assert stored_count(ledger) == before and citations(ledger) == []
    assert report(client, owner, plant, evidence=["整改前照片已存档（纸质）"]).status_code == 201  # text, as before


def test_criteria_unknown_or_major_reported_general(client, ledger, plant, owner):
    before = stored_count(ledger)
    unknown = report(client, owner, plant, criterion="gm10-99-9")
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "criterion" and "gm10-99-9" in unknown.json()["message"]
    general = report(client, owner, plant, criterion="gm10-4-1", level="general")
    assert general.status_code == 409 and general.json()["rule"] == "major-criterion"
    assert "第四条第（一）项" in general.json()["message"]
    assert stored_count(ledger) == before
    assert report(client, owner, plant, criterion="ah16-8", level="general").status_code == 201  # a duty: any level


def test_regrading_a_major_citation_down_needs_a_reason_citing_one_as_general_is_refused(client, auth, plant,
                                                                                          owner):
    hazard = report(client, owner, plant, criterion="gm10-4-1").json()["id"]
    bureau = auth("bureau")
    regrade = f"{API}/hazards/{hazard}/regrade"
    refused = client.post(regrade, headers=bureau, json={"level": "general", "reason": "…", "criterion": "gm10-4-2"})
    assert refused.status_code == 409 and refused.json()["rule"] == "major-criterion"
    assert client.post(regrade, headers=bureau, json={"level": "general"}).status_code == 422  # no reason
    down = client.post(regrade, headers=bureau, json={"level": "general", "reason": "复核：非人员聚集场所"})
    assert down.status_code == 200
    state = client.get(f"{API}/hazards/{hazard}", headers=bureau).json()
    assert (state["level"], state["criterion"], state["criterion_article"]) == ("general", None, None)
    up = client.post(regrade, headers=bureau, json={"level": "major", "reason": "再次复核", "criterion": "gm10-4-2"})
    assert up.status_code == 200
    assert client.get(f"{API}/hazards/{hazard}", headers=bureau).json()["criterion_article"] == \
        "《工贸企业重大事故隐患判定标准》第四条第（二）项"


def test_a_retried_report_with_an_idempotency_key_cites_once(client, ledger, plant, owner):
    sha = upload(client, owner, jpeg(colour=(90, 10, 10)))
    headers = {**owner, "Idempotency-Key": "report-photo-1"}
    first = report(client, headers, plant, evidence=[f"sha256:{sha}"])
    again = report(client, headers, plant, evidence=[f"sha256:{sha}"])
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert citations(ledger) == [(sha, "hazard", first.json()["id"], first.json()["position"])]


def test_a_token_cites_only_files_it_may_read(client, auth, ledger, plant, owner):
    """Citing would hand the file to whoever reads the new record: another enterprise that knows a
    photo's hash may not cite it (422 as for an unknown hash), the county's bureau may."""
    sha = upload(client, owner, jpeg(colour=(5, 5, 90)))
    other = ledger.register_enterprise(actor("bureau"), credit_code=credit_code(), name="邻厂",
                                       township=ELSEWHERE, sector="trade", scale="small_micro").id
    before = stored_count(ledger)
    refused = report(client, auth("enterprise", enterprise_id=other), other, evidence=[f"sha256:{sha}"],
                     level="general")
    assert refused.status_code == 422 and sha in refused.json()["message"]
    unknown = report(client, owner, plant, evidence=["sha256:" + "1" * 64], level="general")
    assert unknown.json()["message"].replace("1" * 64, sha) == refused.json()["message"]  # alike
    assert stored_count(ledger) == before and citations(ledger) == []
    assert report(client, auth("bureau"), other, evidence=[f"sha256:{sha}"], level="general").status_code == 201


def test_a_photo_cited_by_an_inspection_checklist_is_read_by_those_who_read_the_inspection(client, auth, ledger):
    from tests.e2e.test_checklists_http import _photo, _textile

    bureau = actor("bureau")
    e = ledger.register_enterprise(bureau, credit_code=credit_code(), name="纺织厂", township=HOME,
                                   sector="trade", scale="small_micro").id
    a = ledger.register_agency(bureau, credit_code=credit_code(), name="安评公司").id
    expert = ledger.add_expert(bureau, a, name="陈工", certificate_no="Z-1").id
    c = ledger.propose_contract(bureau, enterprise_id=e, agency_id=a, service="monthly",
                                start=date(2026, 1, 1), end=date(2026, 12, 31), fee=3600).id
    ledger.countersign_contract(actor("agency"), c)
    i = ledger.schedule_inspection(bureau, enterprise_id=e, agency_id=a, kind="monthly", basis_id=c,
                                   scheduled_for=date(2026, 6, 1)).id
    ledger.perform_inspection(actor("agency"), i, expert_ids=[expert], performed_on=date(2026, 6, 1))
    agency = auth("agency", agency_id=a)
    photo = _photo(client, agency)
    recorded = client.post(f"{API}/inspections/{i}/checklist", headers=agency,
                           json=_textile({"result": "failed", "note": "未分隔", "evidence": [photo]}))
    assert recorded.status_code == 200, recorded.text
    sha = photo.removeprefix("sha256:")
    assert reads(client, auth("enterprise", enterprise_id=e), sha) == [200, 200, 200]
    assert reads(client, auth("township", township=HOME), sha) == [200, 200, 200]
    assert reads(client, auth("township", township=ELSEWHERE), sha) == [403, 403, 403]
