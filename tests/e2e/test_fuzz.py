"""Property-based run of schemathesis against /openapi.json: no input makes the service fail (5xx).

Every operation of the OpenAPI document gets generated requests (a few examples each, so CI
stays fast; run deeper with HAZARD_FUZZ_EXAMPLES=200) with a county-wide token. The subsidy
claim's operations (申报, 初审, 审核, 审定, 公示, 拨付) are fuzzed again with the token of whoever
may take each step (services.access.POLICY), on a real claim, so the generated input reaches
the approval chain itself instead of stopping at 403.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from projections.operations import catch_up
from services.api.app import create_app
from tests.conftest import one_at_a_time
from tests.projections.test_accountability import build_world

EXAMPLES = int(os.environ.get("HAZARD_FUZZ_EXAMPLES", "6"))
CLAIMS = ("subsidy.claim.read", "subsidy.claim.file", "subsidy.claim.township-check",
          "subsidy.claim.bureau-review", "subsidy.claim.finance-approval", "subsidy.claim.notice",
          "subsidy.claim.pay")
REFUSED = {401, 403}


def fuzz(operation, headers: dict[str, str], seen: Counter, failures: list[str],
         aimed: Callable | None = None) -> None:
    """Call the operation with generated cases; with `aimed`, each case once more as `aimed`
    changes it (a real id in place of a generated one)."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        send(case, headers, seen, failures)
        if aimed:
            send(aimed(case), headers, seen, failures)  # after the first call: it changes the case

    call()


def send(case, headers: dict[str, str], seen: Counter, failures: list[str]) -> None:
    response = case.call(headers=headers)
    seen[response.status_code] += 1
    if response.status_code >= 500:
        failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:200]}")


def test_no_generated_input_causes_a_server_error(ledger, tokens, auth):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ledger, tokens))
    headers, failures, operations, seen = auth("bureau"), [], 0, Counter()
    for result in schema.get_all_operations():
        operations += 1
        fuzz(result.ok(), headers, seen, failures)
    assert operations >= 40
    assert failures == []
    assert sum(seen.values()) >= operations and {200, 404, 422} <= set(seen)  # it reached the service


def test_subsidy_claims_are_fuzzed_with_tokens_that_may_take_each_step(ledger, tokens, auth, store_env):
    world = build_world(ledger)  # agency a1 serves 跃龙街道 (330226001) under a contract and an agreement
    catch_up(one_at_a_time(store_env))
    app = create_app(ledger, tokens)
    holders = {"subsidy.claim.file": auth("agency", agency_id=world.a1),
               "subsidy.claim.township-check": auth("township", township="330226001")}
    with TestClient(app) as client:
        filed = client.post("/api/v1/subsidies/claims", json={"agency_id": world.a1, "year": 2026},
                            headers=holders["subsidy.claim.file"])
    assert filed.status_code == 201, filed.text
    claim = filed.json()["id"]

    def aimed(case):
        """The case on the real claim, or filed for the agency the token names."""
        if "claim_id" in (case.path_parameters or {}):
            case.path_parameters = {**case.path_parameters, "claim_id": claim}
            if isinstance(case.body, dict) and "passed" in case.body:  # a decision an office could make:
                case.body = {**case.body, "notes": "材料齐全", "on": None}  # not left to the generator's luck
        elif isinstance(case.body, dict):
            case.body = {**case.body, "agency_id": world.a1}
        return case

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, by_operation = [], defaultdict(Counter)
    for name in CLAIMS:
        fuzz(schema.find_operation_by_id(name), holders.get(name, auth("bureau")), by_operation[name],
             failures, aimed)
    assert failures == []
    reached = {name: sum(n for status, n in by_operation[name].items() if status not in REFUSED)
               for name in CLAIMS}
    assert all(reached.values()), f"only refused (401/403): {by_operation}"
    assert any(200 <= status < 300 for name in CLAIMS[2:] for status in by_operation[name]), \
        f"no approval step was ever taken: {by_operation}"
