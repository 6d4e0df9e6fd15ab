"""Schemathesis against the app's own OpenAPI schema: no 5xx, every response matches the schema."""

from __future__ import annotations

from dataclasses import replace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from web.app import create_app


@pytest.fixture(scope="module")
def api_schema(bot, settings):  # noqa: F811 - the conftest fixture, not hypothesis' settings
    config = replace(settings, rate_limit_per_minute=0)
    app = create_app(config, bot=bot)
    app.state.bot, app.state.settings = bot, config  # what the lifespan does, for the ASGI transport
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_matches_its_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(response)
