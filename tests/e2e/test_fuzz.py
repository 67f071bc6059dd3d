"""Property-based run of schemathesis against /openapi.json: no input makes the service fail (5xx).

Every operation of the OpenAPI document gets generated requests (a few examples each, so CI
stays fast; run deeper with HAZARD_FUZZ_EXAMPLES=200) with a county-wide token.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings

from services.api.app import create_app

EXAMPLES = int(os.environ.get("HAZARD_FUZZ_EXAMPLES", "6"))


def test_no_generated_input_causes_a_server_error(ledger, tokens, auth):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ledger, tokens))
    headers, failures, operations, seen = auth("bureau"), [], 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            response = case.call(headers=headers)
            seen.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: "
                                f"{response.text[:200]}")

        call()
    assert operations >= 40
    assert failures == []
    assert len(seen) >= operations and {200, 404, 422} <= set(seen)  # it reached the service
