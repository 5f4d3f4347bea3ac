"""Output-side masking: no secret, no encoded form of one and no piece of one in any output.

The second line of defence, by class of leak:

- every form a server or serializer writes a secret in: JSON (``\\/``, ``\\uXXXX``, nested
  JSON), URL-encoding (either hex case, ``+`` for space, twice), HTML, base64 and base64url
  at any offset of a longer blob, UTF-8 read as ISO-8859-1 (how http.client reads headers);
- cuts: a secret cut at the body-excerpt limit, or by a cut somebody else made (``...``);
- secret-named fields of any JSON type, at any depth, after long lists, in bodies of any size;
- secret-named query parameters in any URL (``Location``, ``Link``, bodies, logs);
- secret-named headers both ways (one name rule for fields, parameters and headers);
- Basic credentials of a base URL, configured secrets of any scalar type.

The end-to-end runs send hypothesis-made secrets to a real HTTP server (:class:`Reflector`) that
answers with them in every form, and search every output of the run: stdout and stderr with
``-rA``, JUnit XML, HAR files, the summary JSON and the log file.
"""

from __future__ import annotations

import base64
import html
import json
import re
import string
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import pytest
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pytest_seeds.secrets.redact import MASK, Redactor
from pytest_seeds.secrets.watch import is_secret_name
from tests.helpers import runpytest, seed_doc

# --- what must never show: a secret in every form ----------------------------------------


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group().lower(), text)


def _u_escaped(text: str, upper: bool = False) -> str:
    """Every character as ``\\uXXXX`` (UTF-16 code units, as JSON writes them)."""
    units = text.encode("utf-16-be")
    codes = (int.from_bytes(units[i : i + 2], "big") for i in range(0, len(units), 2))
    return "".join(f"\\u{code:04X}" if upper else f"\\u{code:04x}" for code in codes)


def base64_middles(data: bytes) -> set[str]:
    """Base64 and base64url of ``data`` at each offset of a longer blob: the characters it alone decides."""
    found = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data + b"\0\0").decode()
        middle = encoded[-(-8 * offset // 6) : 8 * (offset + len(data)) // 6]
        found |= {middle, middle.replace("+", "-").replace("/", "_")}
    return found


def encoded_forms(secret: str) -> set[str]:
    """The secret as written and as servers, serializers and report writers may write it."""
    data = secret.encode()
    as_json = json.dumps(secret)[1:-1]
    url = quote(secret, safe="")
    forms = {
        secret,
        as_json,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        as_json.replace("/", "\\/"),
        json.dumps(json.dumps(secret))[3:-3],
        _u_escaped(secret),
        _u_escaped(secret, upper=True),
        url,
        _lower_hex(url),
        quote_plus(secret),
        _lower_hex(quote_plus(secret)),
        quote(url, safe=""),
        html.escape(secret),
        html.escape(secret, quote=False),
        data.decode("latin-1"),
        *base64_middles(data),
    }
    xml = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    forms |= {xml, xml.replace('"', "&quot;")}
    forms |= {json.dumps(form)[1:-1] for form in forms}  # as a JSON file (HAR, summary) holds it
    return {form for form in forms if len(form) >= 6}


def leaks(secrets: list[str], texts: dict[str, str]) -> dict[tuple[str, str], str]:
    """(secret, output) -> the first form of the secret found in that output."""
    found = {}
    for secret in secrets:
        forms = encoded_forms(secret)
        for name, text in texts.items():
            shown = next((form for form in sorted(forms) if form in text), None)
            if shown is not None:
                found[(secret, name)] = shown
    return found


# --- strategies ------------------------------------------------------------------------------

# what a header can carry: visible ASCII, no space; no '*', the mask
TOKEN_CHARS = string.ascii_letters + string.digits + "-._~+/=!#$%&'^`|\"\\<>?@:;,()[]"


def _varied(text: str) -> bool:
    """Not a string the outputs' own formats hold ("timestamp", "application/json")."""
    return len(set(text)) >= 6 and any(char in "~^`|" or not char.isascii() for char in text)


tokens = st.text(st.sampled_from(TOKEN_CHARS), min_size=10, max_size=40).filter(_varied)
# anything a JSON field or a query parameter can carry: letters of any script, marks of
# punctuation, symbols, spaces, emoji; no control characters and no '*'
values = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="*"),
    min_size=8,
    max_size=30,
).filter(_varied)


# --- the API under test ------------------------------------------------------------------------


def _b64(data: bytes, urlsafe: bool = False) -> str:
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()


def every_encoding(value: str) -> dict[str, str]:
    """JSON string literals of ``value`` as servers write them, by the style's name."""
    data = value.encode()
    as_json = json.dumps(value)
    go = json.dumps(value, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        go = go.replace(char, code)
    return {
        "python": as_json,
        "php": as_json.replace("/", "\\/"),
        "go": go,
        "dotnet": '"' + _u_escaped(value, upper=True) + '"',
        "nested": json.dumps(json.dumps({"v": value})),
        "url": json.dumps(quote(value, safe="")),
        "url_lower": json.dumps(_lower_hex(quote(value, safe=""))),
        "form": json.dumps(quote_plus(value)),
        "form_lower": json.dumps(_lower_hex(quote_plus(value))),
        "url_twice": json.dumps(quote(quote(value, safe=""), safe="")),
        "html": json.dumps(html.escape(value)),
        "b64": json.dumps(_b64(data)),
        "b64url": json.dumps(_b64(data, urlsafe=True)),
        "b64_in_blob_1": json.dumps(_b64(b"<" + data + b">?")),
        "b64_in_blob_2": json.dumps(_b64(b"<<" + data + b">>", urlsafe=True)),
        "b64_php": json.dumps(_b64(b"~" + data)).replace("/", "\\/"),
    }


def json_text(fields: dict[str, str]) -> str:
    """A JSON object from field names and ready-made JSON texts of their values."""
    return "{" + ", ".join(f"{json.dumps(name)}: {text}" for name, text in fields.items()) + "}"


class Reflector:
    """The API under test: it answers with the secrets each request carried, in every form.

    ``made`` holds the secrets the server makes up (sessions, keys, redirect tokens).
    """

    def __init__(self) -> None:
        self.made: dict[str, Any] = {}

    def __call__(self, request: Request) -> Response:
        handlers = {
            "reflect": self.reflect,
            "cut": self.cut,
            "fields": self.fields,
            "redirect": self.redirect,
            "landing": self.landing,
            "basic": self.basic,
        }
        handler = handlers.get(request.path.rstrip("/").rsplit("/", 1)[-1], self.echo)
        return handler(request)

    def echo(self, request: Request) -> Response:
        body = {"path": request.path, "query": request.args.to_dict()}
        return Response(json.dumps(body), 409, content_type="application/json")

    def reflect(self, request: Request) -> Response:
        token = request.headers["Authorization"].partition(" ")[2]
        key, pin = request.args["key"], request.args["pin"]
        fields = {}
        for name, value in (("token", token), ("key", key), ("pin", pin)):
            fields.update(
                {f"{name}_{style}": text for style, text in every_encoding(value).items()}
            )
        headers = {
            "X-Echo-Url": quote(token, safe=""),
            "X-Echo-B64": _b64(token.encode()),
            "X-Echo-Raw": key.encode().decode("latin-1"),  # UTF-8 bytes on the wire
            "Location": f"/next?access_token={quote(token, safe='')}&page=2",
            "Link": f"</things?api_key={quote(key, safe='')}>; rel=next",
        }
        return Response(json_text(fields), 409, headers, content_type="application/json")

    def cut(self, request: Request) -> Response:
        """Plain text whose token starts ``at`` characters before the 2,000th."""
        token = request.headers["Authorization"].partition(" ")[2]
        at = int(request.args["at"])
        return Response("." * (2000 - at) + token + "." * 50, 409, content_type="text/plain")

    def fields(self, request: Request) -> Response:
        """Secret-named fields of every JSON type before a long list, in a body over 256 KiB."""
        made = self.made
        body = {
            "session": {
                "refresh_token": made["refresh"],
                "api_key": made["number"],
                "client_secret": [made["listed"], {"deep": made["deep"]}, made["number"] + 1],
                "Password": {"hash": {"value": made["nested"]}},
            },
            "items": [{"id": n, "name": "item"} for n in range(12_000)],
            "padding": "p" * 100_000,
        }
        return Response(json.dumps(body), 200, content_type="application/json")

    def redirect(self, request: Request) -> Response:
        location = f"/landing?access_token={quote(self.made['redirected'], safe='')}&x=1"
        return Response("", 302, {"Location": location})

    def landing(self, request: Request) -> Response:
        made = self.made
        headers = {
            "X-Session-Token": made["session"],
            "X-Auth-Token": made["auth_back"],
            "X-CSRF-Token": made["csrf"],
            "Api-Key": made["api_back"],
            "Location": f"/things/1?access_token={quote(made['created'], safe='')}",
        }
        body = {
            "next": f"https://api.example/things/1?ok=1&access_token={made['created']}",
            "sent_back": {name: request.headers.get(name) for name in ("X-Auth-Token", "Api-Key")},
            "answered": {name: headers[name] for name in ("X-Session-Token", "X-CSRF-Token")},
        }
        return Response(json.dumps(body), 201, headers, content_type="application/json")

    def basic(self, request: Request) -> Response:
        seen = request.headers.get("Authorization", "")
        credentials = seen.partition(" ")[2]
        body = {"seen": seen, "credentials": credentials}
        return Response(json.dumps(body), 409, content_type="application/json")


@pytest.fixture
def reflector(httpserver: HTTPServer) -> Reflector:
    handler = Reflector()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    return handler


# --- the seeds of a run ----------------------------------------------------------------------

REFLECT = """
- id: reflect
  method: POST
  path: /reflect
  params: {key: "{{partner_key}}", pin: "{{account_pin}}"}
  body: {partner_key: "{{partner_key}}", note: "{{plain}}"}
"""
CUT = "- {{id: cut, method: GET, path: /cut, params: {{at: {at}}}}}"
FIELDS = """
- id: fields
  method: GET
  path: /fields
  extract: {ref: $.session.refresh_token, number: $.session.api_key}
- id: use
  method: GET
  path: "/echo/{{ref}}/{{number}}"
"""
LANDING = """
- id: landing
  method: GET
  path: /redirect
  headers: {{X-Auth-Token: {auth}, Api-Key: {api}}}
"""
BASIC = "- {id: basic, method: GET, path: /v1/partners/basic}"


def write_project(folder: Path, config: dict[str, Any], seeds: dict[str, str]) -> None:
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    for name, text in seeds.items():
        (folder / f"{name}.md").write_text(text, "utf-8")


def run_everything(pytester: pytest.Pytester, folder: Path, *args: str) -> pytest.RunResult:
    """A run that writes every output there is: -rA, JUnit XML, HAR, summary JSON, log file."""
    return runpytest(
        pytester,
        f"--seeds-dir={folder}",
        f"--seeds-config={folder / 'config.json'}",
        "--seeds-timeout=10",
        "-rA",
        "-p",
        "no:cacheprovider",
        f"--junitxml={folder / 'junit.xml'}",
        f"--seeds-har={folder / 'har'}",
        f"--seeds-summary-json={folder / 'summary.json'}",
        "--log-level=DEBUG",
        f"--log-file={folder / 'run.log'}",
        "--log-file-level=DEBUG",
        *args,
        str(folder),
    )


def every_output(result: pytest.RunResult, folder: Path) -> dict[str, str]:
    """stdout, stderr and every file the run wrote (not the seeds and config it read)."""
    texts = {"stdout": result.stdout.str(), "stderr": result.stderr.str()}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix not in (".md", ".pyc") and path.name != "config.json":
            texts[str(path.relative_to(folder))] = path.read_text("utf-8", "replace")
    assert {"junit.xml", "summary.json", "run.log"} <= set(texts)
    assert any(name.endswith(".har") for name in texts)
    return texts


# --- end to end ---------------------------------------------------------------------------------

E2E = settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # each shrinking step would be a whole run
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class TestEveryOutput:
    """Real seeds against a real server that answers with the secrets in every form."""

    runs = 0

    @E2E
    @given(
        staff=tokens,
        partner_key=values,
        pin=st.integers(10**7, 10**15),
        cut_at=st.integers(1, 9),
        made=st.fixed_dictionaries(
            {
                name: tokens
                for name in (
                    "redirected",
                    "created",
                    "session",
                    "csrf",
                    "auth",
                    "api",
                    "auth_back",
                    "api_back",
                    "userinfo",
                )
            }
            | {name: values for name in ("refresh", "listed", "deep", "nested")}
            | {"number": st.integers(10**9, 10**15)}
        ),
    )
    @example(
        staff='tok/en+"x\\y<&>=1',
        partner_key="pk/€ é+ü 😀&<x>",
        pin=12345678,
        cut_at=5,
        made={
            "redirected": "redir/Tok+en=1",
            "created": "creat&ed/Tok",
            "session": "sess-Tok/en1",
            "csrf": "csrf-Tok/en3",
            "auth": "auth-Tok/en2",
            "api": "api-Key/val4",
            "auth_back": "auth-back/Tok5",
            "api_back": "api-back/Key6",
            "userinfo": "p@ss:w/rd%1",
            "refresh": "ref/resh é+1",
            "listed": "list/ed-sec €",
            "deep": 'deep/er "sec"',
            "nested": "nest/ed\\sec",
            "number": 9876543210,
        },
    )
    def test_no_secret_in_any_form_in_any_output(
        self,
        pytester: pytest.Pytester,
        httpserver: HTTPServer,
        reflector: Reflector,
        staff: str,
        partner_key: str,
        pin: int,
        cut_at: int,
        made: dict[str, Any],
    ) -> None:
        reflector.made = made
        TestEveryOutput.runs += 1
        folder = pytester.path / f"run{TestEveryOutput.runs}"
        config = {
            "tokens": {"staff": staff},
            "params": {"partner_key": partner_key, "account_pin": pin, "plain": "visible-1234"},
            "secrets": ["partner_key", "account_pin"],
        }
        landing = LANDING.format(auth=json.dumps(made["auth"]), api=json.dumps(made["api"]))
        write_project(
            folder,
            config,
            {
                "reflect": seed_doc("POST /reflect", REFLECT),
                "cut": seed_doc("GET /cut", CUT.format(at=min(cut_at, len(staff) - 1))),
                "fields": seed_doc("GET /fields", FIELDS),
                "landing": seed_doc("GET /redirect", landing),
                "basic": seed_doc("GET /v1/partners/basic", BASIC),
            },
        )
        user, password = "seed-user", made["userinfo"]
        partners = httpserver.url_for("/partners-api").replace(
            "://", f"://{user}:{quote(password, safe='')}@"
        )
        result = run_everything(
            pytester,
            folder,
            f"--seeds-base-url={httpserver.url_for('/')}",
            f"--seeds-partners-url={partners}",
        )
        result.assert_outcomes(failed=5)
        texts = every_output(result, folder)
        secrets = [staff, partner_key, str(pin), f"{user}:{password}"]
        secrets += [str(value) for value in made.values()]
        found = leaks(secrets, texts)
        assert not found, "\n".join(
            f"{k[1]}: {v!r} (of {k[0]!r})" for k, v in sorted(found.items())
        )
        everything = "\n".join(texts.values())
        # the cut body ends in dots, then the mask or nothing: no piece of the token
        assert re.search(r"\.{20}(\*\*\*)?\n\.\.\. \(cut; the body has", texts["stdout"])
        # the secrets went out and came back, masked; what is not secret stays readable
        assert "visible-1234" in everything
        assert "/next?access_token=***" in everything  # HAR header and redirectURL
        assert f"/echo/{MASK}/{MASK} -> 409" in texts["stdout"]  # learned from the big body


# --- unit level: the redactor --------------------------------------------------------------

UNIT = settings(max_examples=150, deadline=None)
# text around a secret that cannot start or end an escape, nor hold a name
FILLER = st.text(st.sampled_from("abc xyz,;()[]{}0123456789"), max_size=30)


def _json_escape(value: str) -> str:
    return json.dumps(value)[1:-1]


ENCODERS = {
    "raw": lambda s: s,
    "json": _json_escape,
    "json_utf8": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "php": lambda s: _json_escape(s).replace("/", "\\/"),
    "u_upper": lambda s: _u_escaped(s, upper=True),
    "u_lower": _u_escaped,
    "url": lambda s: quote(s, safe=""),
    "url_lower": lambda s: _lower_hex(quote(s, safe="")),
    "url_path": quote,
    "form": quote_plus,
    "form_lower": lambda s: _lower_hex(quote_plus(s)),
    "html": html.escape,
    "latin1": lambda s: s.encode().decode("latin-1"),
}


# what a cut leaves of an escape: its start before the cut, the rest of it after
PARTIAL_ESCAPE = re.compile(
    r"(?:\\u?[0-9a-fA-F]{0,3}|%[0-9a-fA-F]?)$|^(?:u[0-9a-fA-F]{0,4}|[0-9a-fA-F]{1,4})"
)


def _json_decoded(piece: str) -> str:
    """What a piece of JSON string text says, escapes decoded one by one."""
    return re.sub(
        r"\\u([0-9a-fA-F]{4})|\\(.)",
        lambda match: chr(int(match[1], 16)) if match[1] else match[2],
        piece,
    )


DECODERS = {
    "json": _json_decoded,
    "php": _json_decoded,
    "u_lower": _json_decoded,
    "url": lambda piece: unquote(piece, errors="ignore"),
}


class TestRedactor:
    """The redactor alone: every form, every cut, every position of a secret-named field."""

    @UNIT
    @given(
        hidden=values | tokens,
        chain=st.lists(st.sampled_from(sorted(ENCODERS)), min_size=1, max_size=3),
        left=FILLER,
        right=FILLER,
    )
    def test_every_encoding_and_encoding_of_an_encoding(
        self, hidden: str, chain: list[str], left: str, right: str
    ) -> None:
        assume(hidden not in left and hidden not in right and chain.count("latin1") <= 1)
        encoded = hidden
        for name in chain:
            encoded = ENCODERS[name](encoded)
        masked = Redactor([hidden]).text(left + encoded + right)
        assert encoded not in masked
        assert masked.startswith(left) and masked.endswith(right)
        assert leaks([hidden], {"masked": masked}) == {}

    @UNIT
    @given(
        hidden=values | tokens,
        before=st.binary(max_size=7),
        after=st.binary(max_size=7),
        urlsafe=st.booleans(),
        escape_slash=st.booleans(),
    )
    def test_base64_at_any_offset_of_a_blob(
        self, hidden: str, before: bytes, after: bytes, urlsafe: bool, escape_slash: bool
    ) -> None:
        blob = _b64(before + hidden.encode() + after, urlsafe)
        if escape_slash:
            blob = blob.replace("/", "\\/")
        masked = Redactor([hidden]).text(f'{{"blob": "{blob}"}}')
        assert not {middle for middle in base64_middles(hidden.encode()) if middle in masked}

    def test_basic_credentials_and_short_values(self) -> None:
        redactor = Redactor(["user:pa/ss+word"])
        header = "Basic " + _b64(b"user:pa/ss+word")
        assert redactor.text(f"seen {header}") == f"seen Basic {MASK}"
        redactor.add(["abc", 3, None, True])  # too short, or not a value
        assert redactor.text("abc 3 None True") == "abc 3 None True"

    @UNIT
    @given(number=st.integers(10**3, 10**15) | st.floats(1000.5, 1e12), left=FILLER)
    def test_numbers_are_masked_in_their_text_form(self, number: float, left: str) -> None:
        masked = Redactor([number]).text(f"{left} {json.dumps(number)} {left}")
        assert json.dumps(number) not in masked

    @UNIT
    @given(data=st.data(), hidden=values | tokens, limit=st.integers(0, 80))
    def test_a_cut_never_leaves_a_piece(self, data: st.DataObject, hidden: str, limit: int) -> None:
        outside = "".join(sorted(set(string.ascii_letters + " .,:-") - set(hidden)))
        left = data.draw(st.text(st.sampled_from(outside), max_size=60))
        right = data.draw(st.text(st.sampled_from(outside), max_size=20))
        cut = Redactor([hidden]).cut(left + hidden + right, limit)
        assert not set(cut) & set(hidden)
        if limit <= len(left):
            assert cut == left[:limit]
        else:  # the secret starts before the cut: masked whole
            assert cut == left + MASK + right[: max(0, limit - len(left) - len(hidden))]

    @UNIT
    @given(
        data=st.data(),
        hidden=values | tokens,
        encoder=st.sampled_from(["raw", "json", "php", "u_lower", "url"]),
        kind=st.sampled_from(["end", "start", "middle"]),
    )
    def test_a_cut_somebody_else_made_leaves_no_piece(
        self, data: st.DataObject, hidden: str, encoder: str, kind: str
    ) -> None:
        """A ``...`` cut made before masking (pytest's reprs, short error messages)."""
        encoded = ENCODERS[encoder](hidden)
        outside = "".join(sorted(set(string.ascii_letters + " ,:-") - set(encoded)))
        left = data.draw(st.text(st.sampled_from(outside), max_size=20))
        right = data.draw(st.text(st.sampled_from(outside), max_size=20))
        cut = data.draw(st.integers(1, len(encoded) - 1))
        if kind == "end":
            text = left + encoded[:cut] + "..."
        elif kind == "start":
            text = "..." + encoded[cut:] + right
        else:
            text = left + encoded[:cut] + "..." + encoded[-cut:] + right
        masked = Redactor([hidden]).text(text)
        pieces = re.findall("[^" + re.escape(outside) + r"*.]+", masked)
        if encoder != "raw":  # what is left, decoded; what a cut leaves of an escape tells nothing
            pieces = [DECODERS[encoder](PARTIAL_ESCAPE.sub("", piece)) for piece in pieces]
        assert [piece for piece in pieces if len(piece) >= 4] == []


# --- unit level: secret-named fields and the one name rule -----------------------------------

SECRET_NAMES = st.builds(
    lambda head, tail, upper: (head + tail).upper() if upper else head + tail,
    st.sampled_from(["", "access_", "x-", "client", "refresh-", "X-Session-", "my.api."]),
    st.sampled_from(["token", "secret", "password", "passwd", "api_key", "apikey", "Api-Key"]),
    st.booleans(),
)
# no plain name is secret: none can end in token, secret, password, passwd or api_key
PLAIN_NAMES = st.text(st.sampled_from("abcdefghijlmnoqruvw_"), min_size=1, max_size=10)
# secret values are drawn so that no plain value, no name and no JSON syntax holds one
SECRET_SCALARS = st.one_of(
    st.from_regex(r"Q[A-Z0-9/\"\\ é€+&<]{5,20}", fullmatch=True),
    st.integers(10**6, 10**15),
    st.integers(-(10**15), -(10**6)),
    st.floats(10**6, 10**12).map(lambda f: round(f, 2)),
)
PLAIN_SCALARS = st.one_of(
    st.integers(0, 999), st.booleans(), st.none(), st.text("abcdefgh ", max_size=8)
)
SECRET_VALUES = st.recursive(
    SECRET_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(PLAIN_NAMES, inner, max_size=3),
    max_leaves=6,
)
DOCUMENTS = st.recursive(
    PLAIN_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(
            st.tuples(PLAIN_NAMES, children) | st.tuples(SECRET_NAMES, SECRET_VALUES), max_size=4
        ).map(dict)
    ),
    max_leaves=12,
)


def secret_scalars(document: Any) -> list[Any]:
    """Every scalar under a secret-named key of a document."""
    found: list[Any] = []

    def walk(node: Any, secret: bool) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, secret or is_secret_name(name))
        elif isinstance(node, list):
            for value in node:
                walk(value, secret)
        elif secret:
            found.append(node)

    walk(document, False)
    return found


class TestSecretNamedFields:
    """Fields named secret, of any JSON type, anywhere, found without parsing the text."""

    @settings(max_examples=200, deadline=None)
    @given(
        document=DOCUMENTS,
        indent=st.sampled_from([None, 2]),
        ensure_ascii=st.booleans(),
        escape_slash=st.booleans(),
        padding=st.integers(0, 3),
    )
    def test_every_scalar_under_a_secret_name_is_masked(
        self,
        document: Any,
        indent: int | None,
        ensure_ascii: bool,
        escape_slash: bool,
        padding: int,
    ) -> None:
        wrapped = {"before": [{"id": n} for n in range(padding * 4000)], "doc": document}
        text = json.dumps(wrapped, indent=indent, ensure_ascii=ensure_ascii)
        if escape_slash:
            text = text.replace("/", "\\/")
        masked = Redactor().text(text)
        for secret in secret_scalars(document):
            shown = json.dumps(secret, ensure_ascii=ensure_ascii)
            if isinstance(secret, str):
                shown = shown[1:-1].replace("/", "\\/" if escape_slash else "/")
            assert shown not in masked, secret

    def test_large_bodies_and_long_lists_cost_linear_time(self) -> None:
        secret = "late-secret-value-42"
        body = json.dumps(
            {"items": [{"id": n, "v": [1, 2, 3]} for n in range(60_000)], "pad": "x" * 4_000_000}
        )
        body = body[:-1] + f', "deep": {{"a": [{{"client_secret": "{secret}"}}]}}}}'
        assert len(body) > 5_000_000
        assert secret not in Redactor().text(body)

    @settings(max_examples=300, deadline=None)
    @given(
        name=SECRET_NAMES | PLAIN_NAMES | st.sampled_from(["Authorization", "Cookie", "X-Trace"]),
        value=st.from_regex(r"V[a-zA-Z0-9]{9}", fullmatch=True),
    )
    def test_one_name_rule_for_headers_fields_and_parameters(self, name: str, value: str) -> None:
        redactor = Redactor()
        secret = is_secret_name(name)
        assert (redactor.headers({name: value})[name] != value) is secret
        assert (value not in redactor.text(json.dumps({name: value}))) is secret
        assert (value not in redactor.text(f"https://h/p?a=1&{name}={value}&b=2")) is secret
        assert (value not in redactor.text(f"{name}: {value}")) is secret
        assert (value not in redactor.text(repr({name: value}))) is secret


# --- cases found beyond the listed ones ------------------------------------------------------

STAFF = "staff-Found-SECRET-51c3a9"
SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"type": "object", "properties": {"size": {"type": "integer"}}},
                    }
                }
            }
        }
    },
}
USER_TEST = f"""
def test_body():
    body = "{STAFF}" + "b" * 300
    assert body == "something else"
"""


class TestFoundLeaks:
    """Leaks of the same classes found in other places: each failed before the fix."""

    @pytest.fixture
    def project(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.setenv("SEEDS_TOKEN_STAFF", STAFF)
        return pytester.path

    def test_cuts_made_by_pytest_and_by_contract_excerpts(
        self, pytester: pytest.Pytester, httpserver: HTTPServer, project: Path
    ) -> None:
        """pytest cuts long reprs in the middle, contract notes cut values at 60 characters."""
        (project / "swagger.json").write_text(json.dumps(SWAGGER))
        httpserver.expect_request("/things").respond_with_json({"size": "x" * 45 + STAFF})
        pytester.makefile(
            ".md",
            things=seed_doc(
                "GET /things",
                "- {id: get, method: GET, path: /things}",
                front='swagger: "swagger.json"',
            ),
        )
        pytester.makepyfile(test_user=USER_TEST)
        result = runpytest(
            pytester,
            f"--seeds-dir={project}",
            f"--seeds-base-url={httpserver.url_for('/')}",
            "-rA",
            str(project),
        )
        result.assert_outcomes(passed=1, failed=1, warnings=1)
        output = result.stdout.str()
        assert "got string" in output and "bbbb" in output
        for piece in (STAFF[:8], STAFF[-8:]):
            assert piece not in output

    def test_a_body_cut_at_the_size_limit(
        self,
        pytester: pytest.Pytester,
        httpserver: HTTPServer,
        project: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from pytest_seeds.http import transport

        monkeypatch.setattr(transport, "MAX_BODY_BYTES", 1000)
        echo = "." * 985 + STAFF + "." * 100
        httpserver.expect_request("/big").respond_with_data(echo, content_type="text/plain")
        pytester.makefile(".md", big=seed_doc("GET /big", "- {id: big, method: GET, path: /big}"))
        har = project / "har"
        result = runpytest(
            pytester,
            f"--seeds-dir={project}",
            f"--seeds-base-url={httpserver.url_for('/')}",
            f"--seeds-har={har}",
            str(project),
        )
        result.assert_outcomes(passed=1)
        text = (har / "big.har").read_text()
        assert "body cut at the size limit" in text
        assert STAFF[:12] not in text

    def test_a_secret_in_an_endpoint_or_a_lint_warning(
        self, pytester: pytest.Pytester, httpserver: HTTPServer, project: Path
    ) -> None:
        """Endpoints name tests (terminal, JUnit, summary JSON); lint warnings are properties."""
        httpserver.expect_request("/v1/callback").respond_with_json({})
        pytester.makefile(
            ".md",
            callback=seed_doc(
                f"GET /v1/callback?access_token={STAFF[::-1]}",
                "- {id: call, method: GET, path: /v1/callback}",
                front=f"domain: d\ntokens: [staff, '{STAFF}']",
            ),
        )
        common = [
            f"--seeds-dir={project}",
            f"--seeds-base-url={httpserver.url_for('/')}",
            "-o",
            "junit_family=xunit1",
            "-v",
            "-rA",
        ]
        run = runpytest(
            pytester,
            *common,
            f"--junitxml={project / 'run.xml'}",
            f"--seeds-summary-json={project / 'summary.json'}",
            str(project),
        )
        run.assert_outcomes(passed=1)
        lint = runpytest(
            pytester, *common, "--seeds-lint", f"--junitxml={project / 'lint.xml'}", str(project)
        )
        lint.assert_outcomes(passed=1, warnings=2)  # and: no Swagger root
        texts = {
            "run": run.stdout.str(),
            "lint": lint.stdout.str(),
            **{
                name: (project / name).read_text()
                for name in ("run.xml", "lint.xml", "summary.json")
            },
        }
        assert "unknown token type" in texts["lint.xml"]
        assert "access_token=***" in texts["summary.json"]
        assert {
            name for name, text in texts.items() if STAFF in text or STAFF[::-1] in text
        } == set()

    def test_configured_secrets_inside_nested_params(
        self, pytester: pytest.Pytester, httpserver: HTTPServer, project: Path
    ) -> None:
        httpserver.expect_request("/echo").respond_with_handler(Reflector().echo)
        config = {"params": {"partner": {"client_secret": "nested-cs-7e7e7e", "id": "p-1"}}}
        (project / "config.json").write_text(json.dumps(config))
        step = "- {id: send, method: GET, path: /echo, params: {p: '{{partner.client_secret}}'}}"
        pytester.makefile(".md", nested=seed_doc("GET /echo", step))
        result = runpytest(
            pytester,
            f"--seeds-dir={project}",
            f"--seeds-base-url={httpserver.url_for('/')}",
            f"--seeds-config={project / 'config.json'}",
            str(project),
        )
        result.assert_outcomes(failed=1)
        assert '"p": "***"' in result.stdout.str()
        assert "nested-cs-7e7e7e" not in result.stdout.str()


@pytest.mark.parametrize(
    "shown",
    [
        "tok-ABCD/+=&eacute;&quot;1234",  # named entities, as HTML writes them
        "tok-ABCD/+=&#233;&#34;1234",
        "tok-ABCD&#x2F;+=&eacute;&quot;1234",
    ],
)
def test_html_entities_named_or_numbered_are_decoded_before_matching(shown: str) -> None:
    redactor = Redactor(['tok-ABCD/+=é"1234'])
    assert redactor.text(f"before {shown} after") == "before *** after"
