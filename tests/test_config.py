"""Settings: command line over environment over ini, the config file, and usage errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds.settings import SETTINGS, ConfigError, Setting, Settings, load_values, resolve
from tests.helpers import run_seeds, runpytest, seed_doc


def level_values(setting: Setting, tmp_path: Path) -> tuple[Any, Any, Any]:
    """Three distinct raw values (command line, environment, ini) of a setting."""
    if setting.kind in ("path", "paths"):
        for name in ("cli", "env", "ini"):
            (tmp_path / "run" / name).parent.mkdir(exist_ok=True)
            (tmp_path / "run" / name).write_text("{}\n")
            (tmp_path / "ini" / name).parent.mkdir(exist_ok=True)
            (tmp_path / "ini" / name).write_text("{}\n")
    if setting.kind == "paths":
        return ["cli"], "env", [tmp_path / "ini" / "ini"]
    samples = {
        "path": ("cli", "env", "ini"),
        "url": ("http://cli.test/", "https://env.test", "http://ini.test:8080"),
        "float": ("1.5", "2.5", "3.5"),
        "int": ("1", "2", "3"),
        "text": ("cli", "env", "ini"),
        "choice": tuple((list(setting.choices) * 3)[:3]),
    }
    return samples[setting.kind]


def expected(setting: Setting, raw: Any, base: Path) -> Any:
    if setting.kind == "paths":
        return (base / raw[0],) if isinstance(raw, list) else (base / raw,)
    return {
        "path": lambda: base / raw,
        "url": lambda: raw.rstrip("/"),
        "float": lambda: float(raw),
        "int": lambda: int(raw),
        "text": lambda: raw,
        "choice": lambda: raw,
    }[setting.kind]()


def resolved(setting: Setting, tmp_path: Path, cli: Any, env: Any, ini: Any) -> Any:
    environ = {setting.env: env} if setting.env and env is not None else {}
    settings = resolve(
        option=lambda name: cli if name == setting.name else None,
        ini=lambda key: ini if key == setting.ini else None,
        environ=environ,
        invocation_dir=tmp_path / "run",
        ini_dir=tmp_path / "ini",
    )
    return getattr(settings, setting.name)


@pytest.mark.parametrize(
    "setting",
    [s for s in SETTINGS if s.kind != "flag" and s.name != "env"],  # env: tests/test_any_api.py
    ids=lambda s: s.name,
)
def test_command_line_over_environment_over_ini(setting: Setting, tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "ini").mkdir()
    cli, env, ini = level_values(setting, tmp_path)
    run, ini_dir = tmp_path / "run", tmp_path / "ini"
    assert resolved(setting, tmp_path, cli, env, ini) == expected(setting, cli, run)
    if setting.env:
        assert resolved(setting, tmp_path, None, env, ini) == expected(setting, env, run)
    assert resolved(setting, tmp_path, None, None, ini) == expected(setting, ini, ini_dir)
    assert resolved(setting, tmp_path, None, None, None) == setting.default


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.kind == "flag"], ids=lambda s: s.name)
def test_flags(setting: Setting, tmp_path: Path) -> None:
    assert resolved(setting, tmp_path, True, None, None) is True
    assert resolved(setting, tmp_path, False, None, True) is True
    assert resolved(setting, tmp_path, False, None, "yes") is True
    assert resolved(setting, tmp_path, False, None, None) is False


def test_every_setting_is_spelled_alike_everywhere() -> None:
    assert {s.name for s in SETTINGS} <= set(Settings.__dataclass_fields__)
    for setting in SETTINGS:
        assert setting.ini == setting.flag.removeprefix("--").replace("-", "_")
        assert setting.env in (None, setting.ini.upper())


def test_paths_from_the_environment_split_on_pathsep(tmp_path: Path) -> None:
    (setting,) = [s for s in SETTINGS if s.name == "dirs"]
    value = resolved(setting, tmp_path, None, f"a{os.pathsep}b", None)
    assert value == (tmp_path / "run" / "a", tmp_path / "run" / "b")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "values.json",
            '{"tokens": {"staff": "file-staff", "app": ""}, "params": {"business_id": "b1"}}',
        ),
        ("values.yaml", "tokens:\n  Staff: file-staff\n  app:\nparams:\n  business_id: b1\n"),
    ],
)
def test_config_file(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    tokens, params = load_values(path, {})
    assert tokens == {"staff": "file-staff"}
    assert params == {"business_id": "b1"}


def test_environment_values_override_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("tokens: {staff: file, client: file-client}\nparams: {business_id: file}\n")
    environ = {
        "SEEDS_TOKEN_STAFF": "env-staff",
        "SEEDS_TOKEN_DIRECTORY": "env-dir",
        "SEEDS_TOKEN_APP": "",
        "SEEDS_PARAM_BUSINESS_ID": "env-business",
        "SEEDS_PARAM_MATTER_UID": "m1",
    }
    tokens, params = load_values(path, environ)
    assert tokens == {"staff": "env-staff", "client": "file-client", "directory": "env-dir"}
    assert params == {"business_id": "env-business", "matter_uid": "m1"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tokens: [a\n", "is not valid JSON/YAML"),
        ("- a\n- b\n", "must hold a mapping with tokens: and params:"),
        ("tokens: [staff]\n", "'tokens' in"),
        (
            "tokns: {staff: x}\nparams: {}\n",
            r"values.yaml: unknown key 'tokns' \(did you mean 'tokens'\?\); "
            "known keys: auth, environments, params, routes, secrets, tokens, urls",
        ),
        (
            "secret: [a]\nextra: 1\n",
            r"unknown keys 'secret' \(did you mean 'secrets'\?\), 'extra';",
        ),
    ],
)
def test_bad_config_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_values(path, {})


# --- through pytest ---------------------------------------------------------------------------

SHOW = """
def test_show(seeds_settings, seeds_tokens, seeds_params):
    tokens = {kind: token.reveal() for kind, token in seeds_tokens.items()}  # Secrets
    print("SETTINGS", seeds_settings.base_url, seeds_settings.timeout, tokens, seeds_params)
"""


def test_precedence_through_pytest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(
        "[pytest]\nseeds_base_url = http://ini.test\nseeds_timeout = 3\nseeds_config = values.yaml\n"
    )
    pytester.makefile(".yaml", values="tokens: {staff: file-staff}\nparams: {business_id: file}\n")
    pytester.makepyfile(test_show=SHOW)
    monkeypatch.setenv("SEEDS_BASE_URL", "http://env.test")
    monkeypatch.setenv("SEEDS_PARAM_BUSINESS_ID", "env")
    result = runpytest(pytester, "-s", "--seeds-timeout=4")
    result.stdout.re_match_lines(
        [r".*SETTINGS http://env.test 4.0 {'staff': 'file-staff'} {'business_id': 'env'}$"]
    )
    result = runpytest(pytester, "-s", "--seeds-base-url=http://cli.test/")
    result.stdout.fnmatch_lines(["*SETTINGS http://cli.test 3.0 *"])


@pytest.mark.parametrize(
    ("args", "env", "ini", "message"),
    [
        (
            ["--seeds-base-url=ftp://x"],
            {},
            "",
            "ERROR: --seeds-base-url (ini seeds_base_url, env SEEDS_BASE_URL): 'ftp://x' is not an http:// or https:// URL",
        ),
        (
            [],
            {"SEEDS_FALLBACK_URL": "localhost:8080"},
            "",
            "ERROR: --seeds-fallback-url (ini seeds_fallback_url, env SEEDS_FALLBACK_URL): 'localhost:8080' is not *",
        ),
        (
            [],
            {},
            "seeds_timeout = soon",
            "ERROR: --seeds-timeout (ini seeds_timeout, env SEEDS_TIMEOUT): 'soon' is not a number",
        ),
        (
            ["--seeds-timeout=-1"],
            {},
            "",
            "ERROR: --seeds-timeout (*): -1 must not be negative",
        ),
        (
            ["--seeds-config=missing.yaml"],
            {},
            "",
            "ERROR: --seeds-config: cannot read */missing.yaml: No such file or directory",
        ),
        (["--seeds-dir=nowhere"], {}, "", "ERROR: --seeds-dir: no such file or folder: */nowhere"),
    ],
)
def test_usage_errors(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    ini: str,
    message: str,
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runpytest(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_ini_seeds_dir_lets_plain_pytest_collect_seeds(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nseeds_dir = api-seeds\n")
    (pytester.path / "api-seeds").mkdir()
    (pytester.path / "api-seeds" / "get_things.md").write_text(seed_doc("GET /v1/things"))
    (pytester.path / "notes.md").write_text(seed_doc("GET /v1/outside"))
    result = runpytest(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["api-seeds/get_things.md::GET /v1/things", "1 test collected*"])
    assert "outside" not in result.stdout.str()


def test_seeds_dir_flag_collects_only_that_folder(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", get_things=seed_doc("GET /v1/things"))
    result = run_seeds(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["get_things.md::GET /v1/things"])
    result = runpytest(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["no tests collected*"])
