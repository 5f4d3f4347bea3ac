"""One table of settings, resolved once into a frozen :class:`Settings`.

Each setting has a command-line flag, an ini key and (where it makes sense) an
environment variable; the command line wins over the environment, which wins
over the ini file. Tokens and configured values come from the ``--seeds-config``
file (``{"tokens": {...}, "params": {...}, "secrets": [names]}``, JSON or YAML; a value
``{env: NAME}`` is read from that environment variable) and from
``SEEDS_TOKEN_<TYPE>`` / ``SEEDS_PARAM_<NAME>`` environment variables; token values and
values with a secret name are :class:`~pytest_seeds.secrets.secret.Secret` values.

The same file may say how each token type is sent (``auth: {types: {staff: {header:
Authorization, value: "Bearer {token}"}}}``), which paths go to another base URL with
their own scheme (``routes: [{path_contains: /partners/, base_url: partners, value:
'Token token="{token}"'}]``, ``urls:`` naming base URLs), and hold named
``environments:`` (base URLs, tokens, params) of which ``--seeds-env`` picks one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from pytest_seeds.model import did_you_mean
from pytest_seeds.reading.yamlload import load_yaml
from pytest_seeds.secrets.secret import Secret
from pytest_seeds.secrets.watch import conceal_named, conceal_tokens

CONFIG_KEYS = ("tokens", "params", "secrets", "auth", "routes", "urls", "environments")
ENVIRONMENT_KEYS = ("base_url", "fallback_url", "partners_url", "urls", "tokens", "params")
URL_NAMES = {"base": "base_url", "fallback": "fallback_url", "partners": "partners_url"}
TOKEN_ENV_PREFIX = "SEEDS_TOKEN_"
PARAM_ENV_PREFIX = "SEEDS_PARAM_"
MOST_SHARDS = 10_000  # --seeds-shards, and a shard count or group the merge accepts


def token_variable(kind: str) -> str:
    """``staff`` -> ``SEEDS_TOKEN_STAFF``: the variable a token type is read from."""
    return TOKEN_ENV_PREFIX + re.sub(r"\W", "_", kind).upper()


def param_variable(name: str) -> str:
    """``business_id`` -> ``SEEDS_PARAM_BUSINESS_ID``: the variable a value is read from."""
    return f"{PARAM_ENV_PREFIX}{name.upper()}"


class ConfigError(ValueError):
    """A setting with a bad value; the message names the setting."""


@dataclass(frozen=True)
class HeaderScheme:
    """How a token type is sent: a header and its value, ``{token}`` standing for the token."""

    header: str = "Authorization"
    value: str = "Bearer {token}"


@dataclass(frozen=True)
class Route:
    """Paths holding ``path_contains`` go to ``base_url`` (a URL, or the name of a configured
    one: base, fallback, partners, or a key of ``urls:``), and send the token as ``value``
    (with ``{token}``) in ``header`` when ``value`` is set."""

    path_contains: str
    base_url: str
    value: str | None = None
    header: str | None = None


BUILTIN_SCHEMES: Mapping[str, HeaderScheme] = {
    **{kind: HeaderScheme() for kind in ("staff", "app", "client", "directory")},
    **{kind: HeaderScheme(value="Admin {token}") for kind in ("admin", "internal")},
}
DEFAULT_ROUTES: tuple[Route, ...] = (
    Route("/partners/", "partners", value='Token token="{token}"'),
)


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str
    flag: str
    env: str | None
    kind: str  # "paths", "path", "url", "float", "int", "flag", "choice", "text"
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    most: float | None = None  # the largest number a "float" or "int" setting takes

    @property
    def ini(self) -> str:
        """The ini key spelled like the flag: ``--seeds-dir`` -> ``seeds_dir``."""
        return self.flag.removeprefix("--").replace("-", "_")


def _setting(
    flag: str,
    env: str | None,
    kind: str,
    default: Any,
    help: str,
    choices: tuple[str, ...] = (),
    most: float | None = None,
) -> Any:
    """A :class:`Settings` field that is also a row of the settings table."""
    row = {"flag": flag, "env": env, "kind": kind, "help": help, "choices": choices, "most": most}
    return field(default=default, metadata={"setting": row})


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of a run; each field declared with its flag, env var and help."""

    dirs: tuple[Path, ...] = _setting(
        "--seeds-dir",
        "SEEDS_DIR",
        "paths",
        (),
        "folder (or file) of seed documents; repeatable",
    )
    base_url: str | None = _setting(
        "--seeds-base-url",
        "SEEDS_BASE_URL",
        "url",
        None,
        "base URL of the API under test",
    )
    fallback_url: str | None = _setting(
        "--seeds-fallback-url",
        "SEEDS_FALLBACK_URL",
        "url",
        None,
        "base URL for steps and seeds marked useFallbackApi",
    )
    partners_url: str | None = _setting(
        "--seeds-partners-url",
        "SEEDS_PARTNERS_URL",
        "url",
        None,
        "base URL for paths containing /partners/",
    )
    timeout: float = _setting(
        "--seeds-timeout",
        "SEEDS_TIMEOUT",
        "float",
        30.0,
        "seconds to wait for a connection or a response",
    )
    retries: int = _setting(
        "--seeds-retries",
        "SEEDS_RETRIES",
        "int",
        0,
        "retries after a failed connection, a timeout or a 502/503/504 answer "
        "(GET, HEAD, OPTIONS, PUT, DELETE; POST and PATCH only after a failed connection)",
    )
    retries_429: int = _setting(
        "--seeds-retries-429",
        "SEEDS_RETRIES_429",
        "int",
        3,
        "retries after a 429 answer, waiting as its Retry-After asks (0: none)",
    )
    max_retry_after: float = _setting(
        "--seeds-max-retry-after",
        "SEEDS_MAX_RETRY_AFTER",
        "float",
        60.0,
        "longest wait in seconds before a retry; a longer Retry-After is cut to this",
    )
    retry_backoff: float = _setting(
        "--seeds-retry-backoff",
        "SEEDS_RETRY_BACKOFF",
        "float",
        0.5,
        "the n-th retry without Retry-After waits backoff * 2^(n-1) s plus up to backoff s",
    )
    max_sleep: float = _setting(
        "--seeds-max-sleep",
        "SEEDS_MAX_SLEEP",
        "float",
        30.0,
        "longest 'sleep:' of a step in seconds; a longer one sleeps this long, noted under the step",
    )
    retry_unsafe: bool = _setting(
        "--seeds-retry-unsafe",
        "SEEDS_RETRY_UNSAFE",
        "flag",
        False,
        "also retry POST and PATCH after they reached the server (they may apply twice)",
    )
    rate: float = _setting(
        "--seeds-rate",
        "SEEDS_RATE",
        "float",
        0.0,
        "most requests per second for the whole run, split evenly over shards and xdist workers "
        "(0: no limit)",
    )
    shards: int = _setting(
        "--seeds-shards",
        "SEEDS_SHARDS",
        "int",
        0,
        "how many machines (shards) run parts of this run at once; --seeds-rate is shared out "
        "over them (default: pytest-split's --splits, else 1)",
        most=MOST_SHARDS,
    )
    swagger_root: Path | None = _setting(
        "--seeds-swagger-root",
        "SEEDS_SWAGGER_ROOT",
        "path",
        None,
        "folder that front-matter 'swagger:' paths are relative to (default: rootdir)",
    )
    contract: str = _setting(
        "--seeds-contract",
        "SEEDS_CONTRACT",
        "choice",
        "warn",
        "check requests and JSON responses against the Swagger/OpenAPI operation: "
        "off, warn (notes and warnings) or strict (a mismatch fails the step)",
        choices=("off", "warn", "strict"),
    )
    drift: str = _setting(
        "--seeds-drift",
        "SEEDS_DRIFT",
        "choice",
        "warn",
        "compare each Test Request answer with the seed's documented example of its status "
        "(keys, JSON types; values only at seeds-fixed paths): off, warn (warnings) or "
        "strict (a difference fails the step)",
        choices=("off", "warn", "strict"),
    )
    update_examples: bool = _setting(
        "--seeds-update-examples",
        None,
        "flag",
        False,
        "rewrite the documented examples that drifted, in the seed files, from the answers of "
        "the seeds that passed (secrets masked, volatile values as <placeholders>)",
    )
    update_examples_dry_run: bool = _setting(
        "--seeds-update-examples-dry-run",
        None,
        "flag",
        False,
        "show the diff --seeds-update-examples would write, and write nothing",
    )
    discrepancies: Path | None = _setting(
        "--seeds-discrepancies",
        "SEEDS_DISCREPANCIES",
        "path",
        None,
        "Markdown file to write every answer that differs from its documented example or "
        "Swagger schema into, by domain, with the seed's file:line",
    )
    files_dir: Path | None = _setting(
        "--seeds-files-dir",
        "SEEDS_FILES_DIR",
        "path",
        None,
        "folder of upload files for file_fields (besides the seed's own folder)",
    )
    config: Path | None = _setting(
        "--seeds-config",
        "SEEDS_CONFIG",
        "path",
        None,
        "YAML or JSON file with 'tokens:', 'params:' and 'secrets:'",
    )
    missing_token: str = _setting(
        "--seeds-missing-token",
        "SEEDS_MISSING_TOKEN",
        "choice",
        "skip",
        "what a seed whose token type is not configured does: skip, or fail (for CI)",
        choices=("skip", "fail"),
    )
    lint: bool = _setting(
        "--seeds-lint",
        None,
        "flag",
        False,
        "check seeds offline, without sending a request",
    )
    har: Path | None = _setting(
        "--seeds-har",
        "SEEDS_HAR",
        "path",
        None,
        "folder to write one HAR 1.2 file per seed into (redacted)",
    )
    summary_json: Path | None = _setting(
        "--seeds-summary-json",
        "SEEDS_SUMMARY_JSON",
        "path",
        None,
        "file to write the run summary into as JSON",
    )
    coverage: Path | None = _setting(
        "--seeds-coverage",
        "SEEDS_COVERAGE",
        "path",
        None,
        "file to write the API coverage ledger into as JSON (which seeds exercise each documented "
        "operation), with a Markdown table beside it (suffix .md)",
    )
    coverage_min: float | None = _setting(
        "--seeds-coverage-min",
        "SEEDS_COVERAGE_MIN",
        "float",
        None,
        "fail the run when fewer than this percentage of the documented operations have a seed",
    )
    coverage_baseline: Path | None = _setting(
        "--seeds-coverage-baseline",
        "SEEDS_COVERAGE_BASELINE",
        "path",
        None,
        "a ledger of an earlier run (--seeds-coverage): fail the run when an operation a seed "
        "covered there has none now",
    )
    env: str | None = _setting(
        "--seeds-env",
        "SEEDS_ENV",
        "text",
        None,
        "which environment of the --seeds-config file's 'environments:' to run against",
    )
    request_id_header: str | None = _setting(
        "--seeds-request-id-header",
        "SEEDS_REQUEST_ID_HEADER",
        "text",
        None,
        "send this header (e.g. X-Request-Id) with <seed>:<step>:<random> on every step",
    )
    tokens: Mapping[str, Secret] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)  # secret-named values: Secrets
    secret_names: tuple[str, ...] = ()
    schemes: Mapping[str, HeaderScheme] = field(default_factory=lambda: dict(BUILTIN_SCHEMES))
    routes: tuple[Route, ...] = DEFAULT_ROUTES
    urls: Mapping[str, str] = field(default_factory=dict)  # named base URLs for routes
    token_env: Mapping[str, str] = field(default_factory=dict)  # type -> its {env: NAME}

    @property
    def updates_examples(self) -> bool:
        """Whether the run computes updated examples (to write, or to show as a diff)."""
        return self.update_examples or self.update_examples_dry_run

    @property
    def checks_examples(self) -> bool:
        """Whether the run compares answers with the documented examples at all."""
        return self.drift != "off" or self.updates_examples or self.discrepancies is not None


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(name=f.name, default=f.default, **f.metadata["setting"])
    for f in fields(Settings)
    if "setting" in f.metadata
)


def resolve(
    option: Callable[[str], Any],
    ini: Callable[[str], Any],
    environ: Mapping[str, str],
    invocation_dir: Path,
    ini_dir: Path,
) -> Settings:
    """Build :class:`Settings` from CLI options, environment and ini (in that order)."""
    values: dict[str, Any] = {}
    from_ini: set[str] = set()  # settings given by neither flag nor variable
    for setting in SETTINGS:
        raw, base = option(setting.name), invocation_dir
        if raw in (None, [], False) and setting.env and environ.get(setting.env):
            raw = environ[setting.env]
            if setting.kind == "paths":
                raw = [part for part in raw.split(os.pathsep) if part]
        if raw in (None, [], False, ""):
            raw, base = ini(setting.ini), ini_dir
            from_ini.add(setting.name)
        values[setting.name] = _convert(setting, raw, base)
    path = values["config"]
    data = select_environment(read_config(path), values["env"], path)
    by_name = {setting.name: setting for setting in SETTINGS}
    for name in URL_NAMES.values():  # the environment's URL wins over the ini file's
        if name in from_ini and data.get(name):
            values[name] = _convert(by_name[name], data[name], invocation_dir)
    tokens, params = config_values(data, path, environ)
    secrets = secret_names(data, path)
    schemes, routes, urls = auth_values(data, path)
    return Settings(
        **values,
        tokens=tokens,
        params=params,
        secret_names=secrets,
        schemes=schemes,
        routes=routes,
        urls=urls,
        token_env=config_token_variables(data),
    )


def config_token_variables(data: Mapping[str, Any]) -> dict[str, str]:
    """The environment variables the config file reads tokens from (``{env: NAME}``)."""
    tokens = data.get("tokens") or {}
    return {
        str(kind).lower(): str(value["env"])
        for kind, value in (tokens.items() if isinstance(tokens, Mapping) else ())
        if isinstance(value, Mapping) and set(value) == {"env"}
    }


def select_environment(
    data: Mapping[str, Any], name: str | None, path: Path | None
) -> Mapping[str, Any]:
    """The config file's mapping with the chosen environment's values laid over it.

    An environment holds ``base_url``, ``fallback_url``, ``partners_url``, ``urls``,
    ``tokens`` and ``params``; its tokens, params and urls add to (and win over) the
    top-level ones.
    """
    environments = data.get("environments") or {}
    if not isinstance(environments, Mapping) or not all(
        isinstance(section, Mapping | None) for section in environments.values()
    ):
        raise ConfigError(
            f"--seeds-config: 'environments' in {path} must map names to mappings "
            "(base_url, tokens, params, ...)"
        )
    if name is None:
        return data
    names = [str(key) for key in environments]
    if name not in names:
        if not names:
            raise ConfigError(
                f"--seeds-env {name}: the --seeds-config file ({path}) has no 'environments:'"
            )
        hint = did_you_mean(name, names)
        raise ConfigError(
            f"--seeds-env: unknown environment '{name}'"
            + (f" ({hint})" if hint else "")
            + f"; environments in {path}: {', '.join(names)}"
        )
    section = environments[name] or {}
    unknown = [str(key) for key in section if key not in ENVIRONMENT_KEYS]
    if unknown:
        raise ConfigError(
            f"--seeds-config: environment '{name}' in {path}: unknown key(s) "
            f"{', '.join(unknown)}; known keys: {', '.join(ENVIRONMENT_KEYS)}"
        )
    merged = dict(data)
    for key in ("tokens", "params", "urls"):
        for where in (data, section):
            if not isinstance(where.get(key) or {}, Mapping):
                raise ConfigError(f"--seeds-config: '{key}' in {path} must be a mapping")
        merged[key] = {**(data.get(key) or {}), **(section.get(key) or {})}
    for key in URL_NAMES.values():
        if section.get(key):
            merged[key] = section[key]
    return merged


def auth_values(
    data: Mapping[str, Any], path: Path | None
) -> tuple[dict[str, HeaderScheme], tuple[Route, ...], dict[str, str]]:
    """Header schemes by token type (built-ins, then ``auth: types:``), routes, named URLs."""
    where = f"--seeds-config: {path}"
    auth = data.get("auth") or {}
    if not isinstance(auth, Mapping) or any(key != "types" for key in auth):
        raise ConfigError(f"{where}: 'auth' must be a mapping with 'types:'")
    types = auth.get("types") or {}
    if not isinstance(types, Mapping):
        raise ConfigError(f"{where}: 'auth: types:' must map token types to {{header, value}}")
    schemes = dict(BUILTIN_SCHEMES)
    for kind, scheme in types.items():
        spec = _spec(scheme, ("header", "value"), f"{where}: auth type '{kind}'")
        if "{token}" not in str(spec.get("value", "{token}")):
            raise ConfigError(f"{where}: auth type '{kind}': 'value' must hold {{token}}")
        schemes[str(kind).lower()] = HeaderScheme(
            str(spec.get("header") or "Authorization"), str(spec.get("value") or "{token}")
        )
    routes = DEFAULT_ROUTES
    if "routes" in data:
        listed = data.get("routes") or []
        if not isinstance(listed, list):
            raise ConfigError(f"{where}: 'routes' must be a list of {{path_contains, base_url}}")
        routes = tuple(_route(item, f"{where}: routes[{i}]") for i, item in enumerate(listed))
    urls = data.get("urls") or {}
    if not isinstance(urls, Mapping):
        raise ConfigError(f"{where}: 'urls' must map names to base URLs")
    named = {str(name): str(url).strip().rstrip("/") for name, url in urls.items() if url}
    return schemes, routes, named


def _spec(value: Any, keys: tuple[str, ...], where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a mapping with {', '.join(keys)}")
    unknown = [str(key) for key in value if key not in keys]
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(keys)}")
    return value


def _route(value: Any, where: str) -> Route:
    spec = _spec(value, ("path_contains", "base_url", "header", "value"), where)
    if not spec.get("path_contains") or not spec.get("base_url"):
        raise ConfigError(f"{where} needs 'path_contains' and 'base_url'")
    if spec.get("value") is not None and "{token}" not in str(spec["value"]):
        raise ConfigError(f"{where}: 'value' must hold {{token}}")
    return Route(
        str(spec["path_contains"]),
        str(spec["base_url"]).strip().rstrip("/"),
        None if spec.get("value") is None else str(spec["value"]),
        None if spec.get("header") is None else str(spec["header"]),
    )


def _convert(setting: Setting, raw: Any, base: Path) -> Any:
    if raw in (None, [], ""):
        return setting.default
    where = f"{setting.flag} (ini {setting.ini}"
    where += f", env {setting.env})" if setting.env else ")"
    if setting.kind == "flag":
        return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes")
    if setting.kind == "paths":
        items = raw if isinstance(raw, list | tuple) else str(raw).split()
        return tuple(_path(item, base) for item in items)
    if setting.kind == "path":
        return _path(raw, base)
    if setting.kind == "url":
        url = str(raw).strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: '{raw}' is not an http:// or https:// URL")
        return url
    if setting.kind in ("float", "int"):
        try:
            number = float(raw) if setting.kind == "float" else int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: '{raw}' is not a number") from None
        if number < 0:
            raise ConfigError(f"{where}: {raw} must not be negative")
        if setting.most is not None and number > setting.most:
            raise ConfigError(f"{where}: {raw} is more than {setting.most:g}")
        return number
    if setting.kind == "choice":
        value = str(raw).strip().lower()
        if value not in setting.choices:
            raise ConfigError(f"{where}: '{raw}' is not one of {', '.join(setting.choices)}")
        return value
    return str(raw)


def _path(raw: Any, base: Path) -> Path:
    return (base / os.path.expanduser(str(raw))).resolve()


def read_config(path: Path | None) -> Mapping[str, Any]:
    """The mapping in the ``--seeds-config`` file (empty without one)."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"--seeds-config: cannot read {path}: {error.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else load_yaml(text)
    except (ValueError, yaml.YAMLError) as error:
        first = str(error).splitlines()[0]
        raise ConfigError(f"--seeds-config: {path} is not valid JSON/YAML: {first}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"--seeds-config: {path} must hold a mapping with tokens: and params:")
    _check_keys(data, path)
    return data


def _check_keys(data: Mapping[str, Any], path: Path) -> None:
    """A key the config file does not know is an error, with a did-you-mean (``tokns``)."""
    unknown = [str(key) for key in data if key not in CONFIG_KEYS]
    if not unknown:
        return
    names = ", ".join(
        f"'{key}'" + (f" ({hint})" if (hint := did_you_mean(key, CONFIG_KEYS)) else "")
        for key in unknown
    )
    plural = "s" if len(unknown) > 1 else ""
    known = ", ".join(sorted(CONFIG_KEYS))
    raise ConfigError(f"--seeds-config: {path}: unknown key{plural} {names}; known keys: {known}")


def secret_names(data: Mapping[str, Any], path: Path | None) -> tuple[str, ...]:
    """The names listed under ``secrets:`` in the config file: values to mask in all output."""
    names = data.get("secrets") or []
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ConfigError(f"--seeds-config: 'secrets' in {path} must be a list of names")
    return tuple(name.lower() for name in names)


def load_values(
    path: Path | None, environ: Mapping[str, str]
) -> tuple[dict[str, Secret], dict[str, Any]]:
    """Tokens and params from the config file at ``path`` and the environment."""
    return config_values(read_config(path), path, environ)


def _from_env(value: Any, environ: Mapping[str, str]) -> Any:
    """``{env: NAME}``: the value of the environment variable NAME (None when unset)."""
    if isinstance(value, Mapping) and set(value) == {"env"}:
        return environ.get(str(value["env"])) or None
    return value


def config_values(
    data: Mapping[str, Any], path: Path | None, environ: Mapping[str, str]
) -> tuple[dict[str, Secret], dict[str, Any]]:
    """Tokens and params from the config file's mapping, then ``SEEDS_TOKEN_*``/``SEEDS_PARAM_*``.

    Every token, and every param with a secret name, is a Secret.
    """
    tokens: dict[str, Any] = {}
    params: dict[str, Any] = {}
    for key, target in (("tokens", tokens), ("params", params)):
        section = data.get(key) or {}
        if not isinstance(section, Mapping):
            raise ConfigError(f"--seeds-config: '{key}' in {path} must be a mapping")
        target.update({str(name): value for name, value in section.items()})
    tokens = {name.lower(): _from_env(value, environ) for name, value in tokens.items()}
    tokens = {name: str(value) for name, value in tokens.items() if value}
    params = {name: _from_env(value, environ) for name, value in params.items()}
    for name, value in environ.items():
        if name.startswith(TOKEN_ENV_PREFIX) and value:
            tokens[name.removeprefix(TOKEN_ENV_PREFIX).lower()] = value
        elif name.startswith(PARAM_ENV_PREFIX):
            params[name.removeprefix(PARAM_ENV_PREFIX).lower()] = value
    return conceal_tokens(tokens), conceal_named(params, secret_names(data, path))
