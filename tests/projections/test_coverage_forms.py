"""Coverage by service form (issue 15 §7): contract, purchased inspection, group, association,
insurance assessment — each enterprise in every form that served it, and once in the total.
Also the groups' and associations' lists and their inspections (projections/queries/groups.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.actor import Role
from projections.queries import groups as groups_q
from projections.queries.coverage import coverage
from tests.conftest import actor, credit_code

BUREAU, AGENCY = actor(Role.BUREAU), actor(Role.AGENCY)
DAY = date(2026, 5, 10)


def _enterprise(ledger, name, township="330226001"):
    return ledger.register_enterprise(BUREAU, credit_code=credit_code(), name=name, township=township,
                                      sector="chem", scale="small_micro").id


def _inspected(ledger, enterprise, kind, basis, expert, agency=None):
    ident = ledger.schedule_inspection(BUREAU, enterprise_id=enterprise, kind=kind, basis_id=basis,
                                       agency_id=agency, scheduled_for=DAY).id
    ledger.perform_inspection(BUREAU, ident, expert_ids=[expert], performed_on=DAY)
    return ident


def test_each_form_counts_its_enterprises_and_the_total_counts_each_once(ledger, read_models, refresh):
    e1, e2, e3, e4 = (_enterprise(ledger, n) for n in ("甲化工", "乙化工", "丙化工", "丁化工"))
    e5 = _enterprise(ledger, "戊化工", township="330226002")
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="甲咨询").id
    agency_expert = ledger.add_expert(BUREAU, agency, name="李工", certificate_no="Z-1").id
    contract = ledger.propose_contract(BUREAU, enterprise_id=e1, agency_id=agency, service="monthly",
                                       start=date(2026, 1, 1), end=date(2026, 12, 31), fee=3600).id
    ledger.countersign_contract(AGENCY, contract)
    agreement = ledger.sign_agreement(BUREAU, agency_id=agency, townships=["330226002"], sectors=["chem"],
                                      start=date(2026, 1, 1), end=date(2026, 12, 31),
                                      prices={"comprehensive": 200}, budget=10000).id
    _inspected(ledger, e5, "comprehensive", agreement, agency_expert, agency=agency)

    group = ledger.form_group(BUREAU, name="跃龙化工互助组", township="330226001").id
    ledger.add_group_member(BUREAU, "group", group, enterprise_id=e1)
    group_expert = ledger.add_group_expert(BUREAU, "group", group, enterprise_id=e1, name="周工",
                                           certificate_no="M-1").id
    association = ledger.form_association(BUREAU, credit_code=credit_code(), name="化工协会",
                                          sector="chem").id
    ledger.add_group_member(BUREAU, "association", association, enterprise_id=e2)
    association_expert = ledger.add_group_expert(BUREAU, "association", association, enterprise_id=e2,
                                                 name="吴工", certificate_no="S-1").id
    ledger.record_group_training(BUREAU, "association", association, held_on=DAY, topic="动火作业",
                                 hours="1.5", attendee_ids=[e2])
    mutual = _inspected(ledger, e1, "mutual", group, group_expert)  # e1: contract and group
    _inspected(ledger, e3, "inter_group", group, group_expert)      # e3: 组间互查
    _inspected(ledger, e2, "association", association, association_expert)
    ledger.schedule_inspection(BUREAU, enterprise_id=e1, kind="mutual", basis_id=group,
                               scheduled_for=DAY)  # scheduled only: serves nobody yet
    refresh()

    r = coverage(read_models.activity, 2026, scope={}, reference=read_models.reference,
                 goal=Decimal("0.05"))
    yl, ty = r["townships"]
    assert (yl["enterprises"], yl["served"]) == (4, 3)  # e4 served by nothing
    assert {k: yl[k] for k in ("by_contract", "by_agreement", "by_group", "by_association",
                               "by_insurance", "several_forms")} == {
        "by_contract": 1, "by_agreement": 0, "by_group": 2, "by_association": 1, "by_insurance": 0,
        "several_forms": 1}
    assert (ty["served"], ty["by_agreement"]) == (1, 1)
    total = r["total"]
    assert (total["enterprises"], total["served"], total["several_forms"]) == (5, 4, 1)
    assert total["served"] < sum(total[f"by_{f}"] for f in ("contract", "agreement", "group",
                                                              "association", "insurance"))
    assert total["coverage"] == 0.8 and total["meets_goal"]
    assert {e["enterprise_id"] for e in r["enforcement_list"]} == {e2, e3, e4, e5}  # 004 §四4 unchanged

    # the lists: a township sees its groups and its members; the association's inspections
    listed = groups_q.groups(read_models.activity, form="group", scope={"township": "330226001"},
                             reference=read_models.reference)
    assert [(g["name"], g["member_count"], g["inspections"], g["performed"]) for g in listed] == [
        ("跃龙化工互助组", 1, 3, 2)]
    assert listed[0]["form_label"] == "企业互助组" and listed[0]["sector_name"] == "各行业"
    assert groups_q.groups(read_models.activity, form="group", scope={"township": "330226002"},
                           reference=read_models.reference) == []
    assert groups_q.groups(read_models.activity, form="group", scope={"agency_id": agency},
                           reference=read_models.reference) == []
    county = groups_q.groups(read_models.activity, form="association", scope={},
                             reference=read_models.reference)
    assert (county[0]["township_name"], county[0]["trainings"], county[0]["agency_id"]) == ("全县", 1, None)
    rows = groups_q.inspections(read_models.activity, group, scope={}, reference=read_models.reference)
    assert {(r["enterprise_name"], r["kind_label"], r["status_label"]) for r in rows} == {
        ("甲化工", "组内互查", "已实施"), ("丙化工", "组间互查", "已实施"), ("甲化工", "组内互查", "已安排")}
    assert [r["inspection_id"] for r in groups_q.inspections(
        read_models.activity, group, scope={"enterprise_id": e3}, reference=read_models.reference)] != []
    assert mutual in {r["inspection_id"] for r in rows}
    assert groups_q.trainings(read_models.activity, association)[0]["hours"] == Decimal("1.5")


def test_the_simulated_year_counts_the_groups_members_served(simulated, sim_env):
    """`hazard simulate` (seed 4, scale 0.01): each group member is inspected once (组内互查), a
    third of the association's members too; coverage counts them by form and once in the total."""
    from projections.operations import catch_up
    from projections.readmodels import ReadModels

    catch_up(sim_env, ["activity"])
    rm = ReadModels(sim_env)
    try:
        s, g = simulated.summary, simulated.summary["mutual_help"]
        assert s["failures"] == {} and (g["groups"], g["associations"]) == (2, 1)
        total = coverage(rm.activity, 2025, scope={}, reference=rm.reference, goal=Decimal("0.05"))["total"]
        assert total["by_group"] == g["group_members"] + s["inspections"]["inter_group"]
        assert total["by_association"] == s["inspections"]["association"] >= 1
        assert 0 < total["by_insurance"] <= s["inspections"]["insurance_assessment"]  # enterprises, each once
        forms = sum(total[f"by_{f}"] for f in ("contract", "agreement", "group", "association", "insurance"))
        assert max(total["by_agreement"], total["by_group"]) <= total["served"] < forms
        assert total["several_forms"] > 0
        listed = groups_q.groups(rm.activity, form="group", scope={}, reference=rm.reference)
        assert sum(x["member_count"] for x in listed) == g["group_members"]
        assert sum(x["trainings"] for x in listed) == g["group_trainings"]
    finally:
        rm.close()
