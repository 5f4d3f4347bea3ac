"""Seeds for any API: no token, configured header schemes, routing rules, environments, and
the corpus details of templating (skipReason, config.params, random_string, current_month)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pytest_seeds.settings import ConfigError, resolve
from tests.helpers import SECRETS, echoed, run_seeds, seed_doc, sent, wire_args


def run(pytester: pytest.Pytester, api: HTTPServer, *args: str) -> pytest.RunResult:
    return run_seeds(pytester, *wire_args(api), *args)


# --- corpus details -----------------------------------------------------------------------------


def test_a_value_an_onfail_skip_step_could_not_extract_skips_the_seed(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict[str, str]
) -> None:
    prerequisites = """
        - id: find
          method: GET
          path: /v1/appointments
          extract:
            appointment_id: $.data.items[0].id
          onFail: skip
          skipReason: No scheduled appointments available to cancel
    """
    test = '- {id: cancel, method: DELETE, path: "/v1/appointments/{{appointment_id}}"}\n'
    cleanup = '- {id: undo, method: POST, path: "/v1/appointments/{{appointment_id}}/restore"}\n'
    pytester.makefile(
        ".md", seed=seed_doc("DELETE /v1/x", test, prerequisites=prerequisites, cleanup=cleanup)
    )
    result = run(pytester, api, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*No scheduled appointments available to cancel*"])
    assert [r.path for r in sent(api)] == ["/v1/appointments"]


def test_config_params_random_string_and_current_month(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict[str, str]
) -> None:
    config = pytester.path / "seeds.yaml"
    config.write_text("params: {client_uid: c-42}\n")
    body = '{uid: "{{config.params.client_uid}}", name: "{{random_string}}", month: "{{current_month}}"}'
    pytester.makefile(
        ".md", seed=seed_doc("POST /v1/x", f"- {{method: POST, path: /v1/x, body: {body}}}\n")
    )
    run(pytester, api, f"--seeds-config={config}").assert_outcomes(passed=1)
    sent_body = echoed(api)[0]["json"]
    assert sent_body["uid"] == "c-42"
    assert re.fullmatch(r"test_[a-z0-9]{8}", sent_body["name"])
    assert re.fullmatch(r"(0[1-9]|1[0-2])", sent_body["month"])


# --- auth and routing ---------------------------------------------------------------------------


def test_token_none_sends_no_credentials_and_needs_no_token(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    pytester.makefile(
        ".md", seed=seed_doc("GET /v1/x", "- {method: GET, path: /health, token: none}\n")
    )
    run(pytester, api, "--seeds-missing-token=fail").assert_outcomes(passed=1)
    assert [r.headers.get("Authorization") for r in sent(api)] == [None]
    assert "unknown-token" not in run_seeds(pytester, "--seeds-lint").stdout.str()


def test_configured_header_schemes(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict[str, str]
) -> None:
    config = pytester.path / "seeds.yaml"
    config.write_text(
        """
auth:
  types:
    partner_key: {header: X-Api-Key, value: "{token}"}
    staff: {header: Authorization, value: "JWT {token}"}
tokens:
  partner_key: key-123
"""
    )
    test = "- {id: key, method: GET, path: /v1/a, token: partner_key}\n"
    test += "- {id: jwt, method: GET, path: /v1/b}\n"
    test += "- {id: admin, method: GET, path: /v1/c, token: admin}\n"
    pytester.makefile(".md", seed=seed_doc("GET /v1/x", test))
    run(pytester, api, f"--seeds-config={config}").assert_outcomes(passed=1)
    got = [(r.headers.get("X-Api-Key"), r.headers.get("Authorization")) for r in sent(api)]
    assert got == [
        ("key-123", None),
        (None, f"JWT {SECRETS['staff']}"),
        (None, f"Admin {SECRETS['admin']}"),
    ]
    lint = run_seeds(pytester, "--seeds-lint", f"--seeds-config={config}")
    assert "unknown-token" not in lint.stdout.str()
    lint = run_seeds(pytester, "--seeds-lint")  # without the config: partner_key is unknown
    assert "unknown token type 'partner_key'" in lint.stdout.str()


def test_a_routing_rule_sends_paths_to_another_url_with_its_own_scheme(
    pytester: pytest.Pytester, api: HTTPServer, tokens: dict[str, str]
) -> None:
    config = pytester.path / "seeds.yaml"
    config.write_text(
        f"""
urls:
  billing: {api.url_for("/billing-api")}
routes:
  - {{path_contains: /invoices/, base_url: billing, header: X-Billing, value: "Key {{token}}"}}
"""
    )
    test = "- {id: invoice, method: GET, path: /v1/invoices/7}\n"
    test += "- {id: partner, method: GET, path: /v1/partners/7}\n"  # no partners rule left
    pytester.makefile(".md", seed=seed_doc("GET /v1/x", test))
    run(pytester, api, f"--seeds-config={config}").assert_outcomes(passed=1)
    got = [(r.path, r.headers.get("X-Billing"), r.headers.get("Authorization")) for r in sent(api)]
    assert got == [
        ("/billing-api/v1/invoices/7", f"Key {SECRETS['staff']}", None),
        ("/v1/partners/7", None, f"Bearer {SECRETS['staff']}"),
    ]


# --- environments -------------------------------------------------------------------------------


def environments_config(pytester: pytest.Pytester, api: HTTPServer) -> Path:
    config = pytester.path / "seeds.yaml"
    config.write_text(
        f"""
params: {{client_uid: top}}
environments:
  staging:
    base_url: {api.url_for("/staging")}
    tokens: {{staff: {{env: STAGING_STAFF_TOKEN}}}}
    params: {{client_uid: staging-client}}
  production:
    base_url: {api.url_for("/production")}
    tokens: {{staff: {{env: PRODUCTION_STAFF_TOKEN}}}}
"""
    )
    test = '- {method: GET, path: "/v1/clients/{{client_uid}}"}\n'
    for name in ("one", "two"):
        pytester.makefile(".md", **{name: seed_doc(f"GET /v1/{name}", test)})
    return config


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_an_environment_picks_urls_tokens_and_values(
    pytester: pytest.Pytester,
    api: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    workers: list[str],
) -> None:
    config = environments_config(pytester, api)
    monkeypatch.setenv("STAGING_STAFF_TOKEN", "staging-secret")
    monkeypatch.setenv("SEEDS_ENV", "staging")
    summary, junit = pytester.path / "summary.json", pytester.path / "junit.xml"
    result = run_seeds(
        pytester,
        f"--seeds-config={config}",
        f"--seeds-summary-json={summary}",
        f"--junitxml={junit}",
        *workers,
        subprocess=bool(workers),
    )
    result.assert_outcomes(passed=2)
    assert {(r.path, r.headers["Authorization"]) for r in sent(api)} == {
        ("/staging/v1/clients/staging-client", "Bearer staging-secret")
    }
    result.stdout.fnmatch_lines(["*seeds environment: staging*"])
    assert json.loads(summary.read_text())["environment"] == "staging"
    assert '<property name="seeds_environment" value="staging"' in junit.read_text()
    assert "staging-secret" not in result.stdout.str()


def test_an_environment_without_its_token_skips(pytester: pytest.Pytester, api: HTTPServer) -> None:
    config = environments_config(pytester, api)
    result = run_seeds(pytester, f"--seeds-config={config}", "--seeds-env=production", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["*no 'staff' token configured: set PRODUCTION_STAFF_TOKEN or*"])
    assert sent(api) == []


def test_an_unknown_environment_is_a_usage_error_with_did_you_mean(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    config = environments_config(pytester, api)
    result = run_seeds(pytester, f"--seeds-config={config}", "--seeds-env=stagng")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown environment 'stagng'*staging*"])


def test_seeds_env_flag_over_variable_over_ini_and_urls_over_the_ini(tmp_path: Path) -> None:
    config = tmp_path / "seeds.yaml"
    config.write_text(
        "environments:\n"
        + "".join(f"  {name}: {{base_url: 'https://{name}.test'}}\n" for name in ("a", "b", "c"))
    )

    def base_url(cli: str | None, variable: str | None, ini: str | None) -> str | None:
        ini_values = {"seeds_env": ini, "seeds_base_url": "https://ini.test"}
        environ = {"SEEDS_ENV": variable} if variable else {}
        options = {"env": cli, "config": str(config)}
        settings = resolve(options.get, ini_values.get, environ, tmp_path, tmp_path)
        return settings.base_url

    assert base_url("a", "b", "c") == "https://a.test"
    assert base_url(None, "b", "c") == "https://b.test"
    assert base_url(None, None, "c") == "https://c.test"
    assert base_url(None, None, None) == "https://ini.test"
    with pytest.raises(ConfigError, match="unknown environment 'd'; environments in"):
        base_url("d", None, None)
