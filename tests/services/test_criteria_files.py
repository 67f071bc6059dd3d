"""The criteria and checklist files: the county's own are read whole; a bad file is refused at
startup with the file and the entry named, never served half-read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infra.criteria import (CHECKLISTS_DIR, CRITERIA_DIR, CriteriaError, load_checklists,
                            load_criteria)
from infra.reference import ReferenceData
from infra.settings import Settings
from services.runtime import Config

SECTORS = ReferenceData.load().sectors


def test_the_county_files_are_whole():
    catalogue = load_criteria(sectors=SECTORS)
    assert set(catalogue.regulations) == {"gm10", "chem121", "ah16"}
    by_regulation = {r: len(catalogue.find(regulation=r)) for r in catalogue.regulations}
    assert by_regulation == {"gm10": 65, "chem121": 20, "ah16": 12}  # 64 items of 令10号 + art 14
    gm10_articles = {c.article for c in catalogue.find(regulation="gm10")}
    assert gm10_articles == set(range(3, 15))
    templates = load_checklists(catalogue=catalogue, sectors=SECTORS)
    assert len(templates.templates) == 12
    cited = {i.criterion.id for t in templates.templates.values() for i in t.items if i.criterion}
    assert {c.id for c in catalogue.find(major=True)} <= cited  # every major criterion is checked somewhere


def test_config_reads_them_once_from_the_folders_its_settings_name(tmp_path):
    folder = _copy(CRITERIA_DIR, tmp_path / "criteria")
    settings = Settings.from_env({"HAZARD_CRITERIA_DIR": str(folder), "HAZARD_DATA_DIR": str(tmp_path)})
    config = Config(settings)
    assert config.criteria is config.criteria
    assert config.checklists.get("chem121").items[0].criterion is config.criteria.get("chem121-1")
    (folder / "gm10.json").unlink()
    with pytest.raises(CriteriaError, match=r"gm10-\w+\.json: .*unknown regulation 'gm10'"):
        Config(settings).checklists  # the templates cite what the county removed


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _criteria_refused(tmp_path, name, change) -> str:
    folder = _copy(CRITERIA_DIR, tmp_path / "criteria")
    _edit(folder, name, change)
    with pytest.raises(CriteriaError) as refused:
        load_criteria(folder, sectors=SECTORS)
    return str(refused.value)


def _first(data) -> dict:
    return data["criteria"][0]


@pytest.mark.parametrize("name, change, said", [
    ("gm10.json", lambda d: d["criteria"].append(dict(_first(d))), "gm10-3-1 is defined twice"),
    ("gm10.json", lambda d: _first(d).update(sectors=["steel"]), "unknown sector(s) steel"),
    ("gm10.json", lambda d: _first(d).update(sectors=[]), "needs at least one sector"),
    ("gm10.json", lambda d: _first(d).pop("condition"), "missing field(s) condition"),
    ("gm10.json", lambda d: _first(d).pop("major"), "missing field(s) major"),
    ("gm10.json", lambda d: _first(d).update(major="yes"), "field major has the wrong type"),
    ("gm10.json", lambda d: _first(d).update(condition="  "), "field condition is empty"),
    ("gm10.json", lambda d: _first(d).update(majr=True), "unknown field(s) majr"),
    ("gm10.json", lambda d: _first(d).update(item=2), "the id must be gm10-3-2"),
    ("gm10.json", lambda d: _first(d).update(article=None, item=None), "needs a positive article or item"),
    ("gm10.json", lambda d: _first(d).update(branch="steel"), "unknown branch 'steel'"),
    ("gm10.json", lambda d: _first(d).update(verified="maybe"), "verified must be one of"),
    ("gm10.json", lambda d: d["regulation"].pop("title"), "regulation: missing field(s) title"),
    ("gm10.json", lambda d: d.update(criteria=[]), "no criteria"),
])
def test_a_bad_criteria_file_is_refused_naming_the_place(tmp_path, name, change, said):
    message = _criteria_refused(tmp_path, name, change)
    assert said in message
    assert name in message


def test_a_criterion_in_two_files_is_refused(tmp_path):
    folder = _copy(CRITERIA_DIR, tmp_path / "criteria")
    local = {"regulation": {"id": "gm10x", "title": "县补充", "number": "宁海〔2026〕1号"},
             "criteria": [{"id": "gm10x-1", "article": 1, "item": None, "sectors": ["trade"],
                           "condition": "条件", "major": True}]}
    (folder / "local.json").write_text(json.dumps(local, ensure_ascii=False), encoding="utf-8")
    assert load_criteria(folder, sectors=SECTORS).get("gm10x-1").regulation.title == "县补充"
    (folder / "zz.json").write_text(json.dumps(local, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CriteriaError, match="regulation gm10x is defined twice"):
        load_criteria(folder, sectors=SECTORS)


def test_not_json_and_no_files_are_refused(tmp_path):
    folder = _copy(CRITERIA_DIR, tmp_path / "criteria")
    (folder / "gm10.json").write_text("{ 不是 JSON", encoding="utf-8")
    with pytest.raises(CriteriaError, match="gm10.json: not JSON"):
        load_criteria(folder, sectors=SECTORS)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CriteriaError, match=r"no \*\.json files"):
        load_criteria(tmp_path / "empty", sectors=SECTORS)
    with pytest.raises(CriteriaError, match="no such folder"):
        load_criteria(tmp_path / "absent", sectors=SECTORS)


def test_a_county_without_a_sector_the_files_use_is_refused():
    with pytest.raises(CriteriaError, match="unknown sector"):
        load_criteria(sectors={k: v for k, v in SECTORS.items() if k != "metallurgy"})


def _checklists_refused(tmp_path, name, change) -> str:
    folder = _copy(CHECKLISTS_DIR, tmp_path / "checklists")
    _edit(folder, name, change)
    with pytest.raises(CriteriaError) as refused:
        load_checklists(folder, catalogue=load_criteria(sectors=SECTORS), sectors=SECTORS)
    return str(refused.value)


def _item(d) -> dict:
    return d["items"][0]


@pytest.mark.parametrize("name, change, said", [
    ("gm10-machinery.json", lambda d: _item(d).update(criterion="gm10-7-99"), "unknown criterion 'gm10-7-99'"),
    ("gm10-machinery.json", lambda d: _item(d).update(criterion="chem121-7"),
     "criterion chem121-7 applies to chem, not to trade"),
    ("gm10-machinery.json", lambda d: _item(d).update(sectors=["steel"]), "unknown sector(s) steel"),
    ("gm10-machinery.json", lambda d: _item(d).pop("text"), "missing field(s) text"),
    ("gm10-machinery.json", lambda d: d["items"].append(dict(_item(d))), "gm10-machinery-01 is defined twice"),
    ("gm10-machinery.json", lambda d: d.update(items=[]), "no items"),
    ("gm10-machinery.json", lambda d: d.update(regulation="gb1"), "unknown regulation 'gb1'"),
    ("gm10-machinery.json", lambda d: d.update(branch="mining"), "unknown branch 'mining'"),
    ("gm10-machinery.json", lambda d: d.update(sectors=["steel"]), "unknown sector(s) steel"),
    ("gm10-machinery.json", lambda d: d.update(id="chem121"), "checklist chem121 is defined twice"),
])
def test_a_bad_checklist_file_is_refused_naming_the_place(tmp_path, name, change, said):
    message = _checklists_refused(tmp_path, name, change)
    assert said in message
    assert ".json" in message
