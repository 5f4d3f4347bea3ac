# conftest.py: fetch a staff token once per run, add a generated value
import uuid
import pytest
import requests


@pytest.fixture(scope="session")
def seeds_tokens(seeds_tokens, seeds_target):
    answer = requests.post(f"{seeds_target.base_url}/oauth/token", data={...}, timeout=30)
    return {**seeds_tokens, "staff": answer.json()["access_token"]}


@pytest.fixture(scope="session")
def seeds_params(seeds_params):
    return {**seeds_params, "order_ref": lambda: f"order-{uuid.uuid4().hex[:8]}"}
