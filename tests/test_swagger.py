"""Tests for pytest_seeds.contract.swagger: spec loading, path matching and header detection."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from pytest_seeds.contract import swagger
from pytest_seeds.contract.swagger import SpecFile, SpecProblem, SwaggerIndex, split_endpoint


def write(root: Path, rel: str, document: object) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def swagger2(base_path: str | None, paths: dict, **extra: object) -> dict:
    doc: dict = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if base_path is not None:
        doc["basePath"] = base_path
    return doc | extra


def openapi3(url: str | None, paths: dict, **extra: object) -> dict:
    doc: dict = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    if url is not None:
        doc["servers"] = [{"url": url}]
    return doc | extra


OK = {"responses": {"200": {"description": "ok"}}}


def test_swagger2_base_path_prefixes_templates(tmp_path: Path) -> None:
    write(
        tmp_path,
        "swagger/s.json",
        swagger2("/business/scheduling", {"/v1/items/{id}": {"get": OK}}),
    )
    index = SwaggerIndex(tmp_path)
    spec = index.load("swagger/s.json")
    assert isinstance(spec, SpecFile)
    assert spec.version == "2.0"
    assert spec.prefix == "/business/scheduling"
    assert [op.template for op in spec.operations] == ["/business/scheduling/v1/items/{id}"]
    op = index.find("GET", "/business/scheduling/v1/items/abc-1")
    assert op is not None and op.template == "/business/scheduling/v1/items/{id}"
    assert index.find("GET", "/v1/items/abc-1") is None  # the basePath is part of the path


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://api.example.com/v3/business_administration", "/v3/business_administration"),
        ("https://api.example.com/v3/", "/v3"),
        ("/v3", "/v3"),
        ("https://api.example.com", ""),
        ("https://api.example.com/", ""),
        (None, ""),
    ],
)
def test_openapi3_server_path_prefix(tmp_path: Path, url: str | None, prefix: str) -> None:
    write(tmp_path, "o.json", openapi3(url, {"/online_profiles/{uid}": {"put": OK}}))
    index = SwaggerIndex(tmp_path)
    spec = index.load("o.json")
    assert isinstance(spec, SpecFile) and spec.prefix == prefix
    op = index.find("put", f"{prefix}/online_profiles/u1")
    assert op is not None and op.template == f"{prefix}/online_profiles/{{uid}}"
    assert op.method == "PUT"


def test_swagger2_root_base_path_and_server_variables(tmp_path: Path) -> None:
    write(tmp_path, "a.json", swagger2("/", {"/v2/settings/": {"get": OK}}))
    server = {"url": "https://h/{ver}/x", "variables": {"ver": {"default": "v9"}}}
    write(tmp_path, "b.json", openapi3(None, {"/y": {"get": OK}}, servers=[server]))
    index = SwaggerIndex(tmp_path)
    assert index.find("GET", "/v2/settings").template == "/v2/settings"
    assert index.find("GET", "/v9/x/y").template == "/v9/x/y"


def test_param_segment_matches_any_one_segment(tmp_path: Path) -> None:
    write(tmp_path, "s.json", swagger2(None, {"/contacts/{uid}/matters": {"get": OK}}))
    index = SwaggerIndex(tmp_path)
    assert index.find("GET", "/contacts/abc-1/matters") is not None
    assert index.find("GET", "/contacts/abc/def/matters") is None
    assert index.find("GET", "/contacts/matters") is None
    assert index.find("POST", "/contacts/abc-1/matters") is None


def test_literal_beats_param_whatever_the_declaration_order(tmp_path: Path) -> None:
    paths = {
        "/items/{id}": {"put": OK},
        "/items/bulk_create": {"put": OK},
        "/a/{x}/{y}": {"get": OK},
        "/a/{x}/c": {"get": OK},
    }
    write(tmp_path, "s.json", swagger2("/b", paths))
    index = SwaggerIndex(tmp_path)
    assert index.find("PUT", "/b/items/bulk_create").template == "/b/items/bulk_create"
    assert index.find("PUT", "/b/items/other").template == "/b/items/{id}"
    assert index.find("GET", "/b/a/1/c").template == "/b/a/{x}/c"
    assert index.find("GET", "/b/a/1/d").template == "/b/a/{x}/{y}"


def test_most_literal_segments_win_over_an_early_literal(tmp_path: Path) -> None:
    write(tmp_path, "s.json", swagger2(None, {"/a/{x}/{y}": {"get": OK}, "/{p}/b/c": {"get": OK}}))
    index = SwaggerIndex(tmp_path)
    assert index.find("GET", "/a/b/c").template == "/{p}/b/c"
    assert index.find("GET", "/a/b/d").template == "/a/{x}/{y}"


def test_query_string_is_stripped_and_trailing_slash_tolerated(tmp_path: Path) -> None:
    write(
        tmp_path, "s.json", swagger2("/p", {"/payment/checkout/": {"put": OK}, "/x": {"get": OK}})
    )
    index = SwaggerIndex(tmp_path)
    assert index.find("PUT", "/p/payment/checkout").template == "/p/payment/checkout"
    assert index.find("PUT", "/p/payment/checkout/?a=1&b={{v}}").template == "/p/payment/checkout"
    assert index.find("GET", "/p/x/").template == "/p/x"
    assert index.find("GET", "/p/x?y=/z").template == "/p/x"
    assert index.find("GET", "/p/x/y?") is None


def test_seed_placeholders_match_only_param_segments(tmp_path: Path) -> None:
    paths = {"/items/bulk": {"put": OK}, "/items/{uid}/notes/{note}": {"get": OK}}
    write(tmp_path, "s.json", swagger2(None, paths))
    index = SwaggerIndex(tmp_path)
    for path in (
        "/items/{{uid}}/notes/{{ note_uid }}",
        "/items/{{resolved.uid}}/notes/{{timestamp | slice: -4}}",
        "/items/{uid}/notes/{note_uid}",  # endpoint-style template
        "/items/{{uid}}/notes/n-1",
    ):
        op = index.find("GET", path)
        assert op is not None and op.template == "/items/{uid}/notes/{note}", path
    assert index.find("PUT", "/items/bulk") is not None
    assert index.find("PUT", "/items/{{anything}}") is None  # never matches a literal
    assert index.find("PUT", "/items/{id}") is None


def test_own_file_first_then_the_others(tmp_path: Path) -> None:
    write(tmp_path, "swagger/a.json", swagger2("/v1", {"/things": {"get": OK}}))
    write(tmp_path, "swagger/b.json", swagger2("/v1", {"/things": {"get": OK}, "/b": {"get": OK}}))
    write(tmp_path, "swagger/c.json", swagger2("/v1", {"/c": {"get": OK}}))
    index = SwaggerIndex(tmp_path)
    assert index.find("GET", "/v1/things", "swagger/b.json").spec.name == "b.json"
    assert index.find("GET", "/v1/things").spec.name == "a.json"  # no file: the root, sorted
    assert index.find("GET", "/v1/things", "swagger/gone.json").spec.name == "a.json"
    named = SwaggerIndex(tmp_path)
    for ref in ("swagger/c.json", "swagger/b.json"):  # what the collected seeds name
        named.name(ref)
    assert named.find("GET", "/v1/things", "swagger/c.json").spec.name == "b.json"
    assert named.find("GET", "/v1/b", "swagger/c.json").spec.name == "b.json"
    assert named.find("GET", "/v1/nowhere", "swagger/c.json") is None


def test_unnamed_files_are_not_read_while_the_seeds_files_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "swagger/a.json", swagger2("/v1", {"/a": {"get": OK}}))
    write(tmp_path, "swagger/b.json", swagger2("/v1", {"/b": {"get": OK}}))
    for i in range(20):
        write(tmp_path, f"data/f{i}.json", {"unrelated": i})
    reads: list[str] = []
    real_read = swagger._read

    def counting_read(path: Path) -> SpecFile | SpecProblem:
        reads.append(path.name)
        return real_read(path)

    monkeypatch.setattr(swagger, "_read", counting_read)
    index = SwaggerIndex(tmp_path)
    index.name("swagger/a.json")
    assert index.find("GET", "/v1/a", "swagger/a.json") is not None
    assert index.find("GET", "/v1/b", "swagger/a.json") is None  # b.json is named by no seed
    assert index.has_specs()
    assert reads == ["a.json"]
    assert index.find("GET", "/v1/b", "swagger/missing.json").spec.name == "b.json"
    assert len(reads) == 23  # the missing file, then the whole root, each file once


def test_specificity_in_own_file_wins_over_more_specific_elsewhere(tmp_path: Path) -> None:
    write(tmp_path, "a.json", swagger2(None, {"/x/y": {"get": OK}}))
    write(tmp_path, "b.json", swagger2(None, {"/x/{id}": {"get": OK}}))
    index = SwaggerIndex(tmp_path)
    assert index.find("GET", "/x/y", "b.json").spec.name == "b.json"
    assert index.find("GET", "/x/y").spec.name == "a.json"


def test_problems_reported_once_and_find_still_works(tmp_path: Path) -> None:
    write(tmp_path, "swagger/good.json", swagger2("/g", {"/ok": {"get": OK}}))
    write(tmp_path, "swagger/broken.json", "{not json")
    write(tmp_path, "swagger/fixture.json", {"name": "not a spec"})
    write(tmp_path, "swagger/list.yaml", "- just\n- a list\n")
    index = SwaggerIndex(tmp_path)
    for _ in range(3):
        for ref in ("mcp_swagger/sales.json", "swagger/broken.json", "swagger/fixture.json"):
            assert isinstance(index.load(ref), SpecProblem)
            assert index.find("GET", "/g/ok", ref).spec.name == "good.json"
    problems = index.problems()
    assert [p.path.name for p in problems] == ["sales.json", "broken.json", "fixture.json"]
    assert "not found" in problems[0].message
    assert "JSON" in problems[1].message
    assert "Swagger/OpenAPI" in problems[2].message


def test_scan_reports_unparsable_files_but_passes_over_other_documents(tmp_path: Path) -> None:
    write(tmp_path, "swagger/good.json", swagger2("/g", {"/ok": {"get": OK}}))
    write(tmp_path, "swagger/broken.yaml", "a: [unclosed\n")
    write(tmp_path, "fixtures/package.json", {"name": "x"})
    write(tmp_path, ".git/hidden.json", "{bad")
    write(tmp_path, "node_modules/m/bad.json", "{bad")
    write(tmp_path, "node_modules/m/spec.json", swagger2("/dep", {"/ok": {"get": OK}}))
    write(tmp_path, "venv/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "venv/lib/bad.json", "{bad")
    index = SwaggerIndex(tmp_path)
    op = index.find("GET", "/g/ok")
    assert op is not None and (op.spec.name, op.template) == ("good.json", "/g/ok")
    assert index.find("GET", "/dep/ok") is None  # a dependency's spec is not the project's
    assert [(p.path.name, "YAML" in p.message) for p in index.problems()] == [("broken.yaml", True)]
    assert [s.path.name for s in index.specs()] == ["good.json"]


def test_yaml_spec_and_version_less_legacy_file(tmp_path: Path) -> None:
    write(tmp_path, "y.yml", "openapi: 3.1.0\nservers: [{url: /api}]\npaths:\n  /z: {delete: {}}\n")
    write(tmp_path, "legacy.json", {"basePath": "/platform/v1", "paths": {"/fields": {"get": OK}}})
    index = SwaggerIndex(tmp_path)
    spec = index.load("y.yml")
    assert isinstance(spec, SpecFile) and spec.version == "3.1.0"
    assert index.find("DELETE", "/api/z").spec.name == "y.yml"
    legacy = index.load("legacy.json")
    assert isinstance(legacy, SpecFile) and legacy.version == ""
    assert index.find("GET", "/platform/v1/fields").spec.name == "legacy.json"


def test_on_behalf_of_header_parameter_and_extension(tmp_path: Path) -> None:
    obo = {"name": "x-on-behalf-of", "in": "header", "type": "string"}
    paths = {
        "/direct": {"get": {"parameters": [{"name": "X-On-Behalf-Of", "in": "header"}]}},
        "/ref": {"get": {"parameters": [{"$ref": "#/parameters/Obo"}]}},
        "/ext": {"get": {"x-on-behalf-of": True}},
        "/item": {"x-On-Behalf-Of": "yes", "get": {}},
        "/falsy": {"get": {"x-on-behalf-of": False}},
        "/query": {"get": {"parameters": [{"name": "X-On-Behalf-Of", "in": "query"}]}},
        "/auth": {"get": {"parameters": [{"name": "Authorization", "in": "header"}]}},
    }
    write(tmp_path, "s.json", swagger2(None, paths, parameters={"Obo": obo}))
    oas = openapi3(
        None,
        {"/o": {"get": {"parameters": [{"$ref": "#/components/parameters/Obo"}]}}},
        components={"parameters": {"Obo": {"$ref": "#/components/parameters/Real"}, "Real": obo}},
    )
    write(tmp_path, "o.json", oas)
    index = SwaggerIndex(tmp_path)
    wants = {p: index.find("GET", p).wants_on_behalf_of() for p in [*paths, "/o"]}
    assert wants == {
        "/direct": True,
        "/ref": True,
        "/ext": True,
        "/item": True,
        "/falsy": False,
        "/query": False,
        "/auth": False,
        "/o": True,
    }
    assert index.find("GET", "/ref").header_names() == frozenset({"x-on-behalf-of"})
    assert index.find("GET", "/auth").header_names() == frozenset({"authorization"})


def test_path_level_parameters_merged_and_overridden(tmp_path: Path) -> None:
    item = {
        "parameters": [
            {"name": "uid", "in": "path", "description": "path-level"},
            {"name": "X-Trace", "in": "header"},
            {"$ref": "#/parameters/Page"},
        ],
        "get": {
            "parameters": [
                {"name": "uid", "in": "path", "description": "op-level"},
                {"name": "uid", "in": "query"},
            ]
        },
    }
    page = {"name": "page", "in": "query"}
    write(tmp_path, "s.json", swagger2(None, {"/t/{uid}": item}, parameters={"Page": page}))
    op = SwaggerIndex(tmp_path).find("GET", "/t/1")
    params = [(p["name"], p["in"], p.get("description")) for p in op.parameters()]
    assert params == [
        ("uid", "path", "op-level"),
        ("X-Trace", "header", None),
        ("page", "query", None),
        ("uid", "query", None),
    ]
    assert op.header_names() == frozenset({"x-trace"})
    assert (op.path_item, op.operation) == (item, item["get"])
    assert op.pointer == "/paths/~1t~1{uid}/get"


def test_unresolvable_and_cyclic_refs_do_not_break(tmp_path: Path) -> None:
    params = [{"$ref": "#/parameters/Loop"}, {"$ref": "other.json#/x"}, {"$ref": "#/nope"}]
    doc = swagger2(
        None,
        {"/r": {"get": {"parameters": params}}},
        parameters={"Loop": {"$ref": "#/parameters/Loop"}},
    )
    write(tmp_path, "s.json", doc)
    op = SwaggerIndex(tmp_path).find("GET", "/r")
    assert len(op.parameters()) == 3
    assert not op.wants_on_behalf_of()


def test_resolve_refuses_escaping_root_and_handles_absolute_paths(tmp_path: Path) -> None:
    root = tmp_path / "root"
    spec = write(root, "swagger/sales/x.json", swagger2(None, {"/s": {"get": OK}}))
    write(tmp_path, "outside.json", swagger2(None, {"/out": {"get": OK}}))
    index = SwaggerIndex(root)
    assert index.resolve(None) is None
    assert index.resolve("  ") is None
    assert index.resolve("../outside.json") is None
    assert index.resolve("swagger/../../outside.json") is None
    assert index.load("../outside.json") is None
    assert index.find("GET", "/out", "../outside.json") is None
    assert index.resolve("swagger/../swagger/sales/x.json") == spec
    laptop = "/Users/someone/GitHub/developers-hub/swagger/sales/x.json"
    assert index.resolve(laptop) == spec
    assert index.find("GET", "/s", laptop).spec == spec
    missing = "/Users/someone/GitHub/developers-hub/mcp_swagger/sales.json"
    assert index.resolve(missing) == Path(missing)
    assert isinstance(index.load(missing), SpecProblem)
    assert index.resolve(str(tmp_path / "outside.json")) == tmp_path / "outside.json"
    assert SwaggerIndex(None).resolve("swagger/sales/x.json") is None


def test_ref_may_repeat_the_root_folder_name(tmp_path: Path) -> None:
    spec = write(tmp_path, "swagger/sales/x.json", swagger2(None, {"/s": {"get": OK}}))
    assert SwaggerIndex(tmp_path / "swagger").resolve("swagger/sales/x.json") == spec


def test_missing_ref_finds_the_one_spec_whose_path_ends_with_it(tmp_path: Path) -> None:
    spec = write(tmp_path, "seeds/swagger/sales/x.json", swagger2(None, {"/s": {"get": OK}}))
    for folder in ("a", "b"):  # two specs end with swagger/twice.json: neither is taken
        write(tmp_path, f"{folder}/swagger/twice.json", swagger2(None, {"/t": {"get": OK}}))
    write(tmp_path, "fixtures/swagger/data.json", {"name": "not a spec"})
    index = SwaggerIndex(tmp_path)
    assert index.resolve("swagger/sales/x.json") == spec
    assert index.find("GET", "/s", "swagger/sales/x.json").spec == spec
    assert index.resolve("swagger/twice.json") == tmp_path / "swagger/twice.json"
    assert index.resolve("swagger/data.json") == tmp_path / "swagger/data.json"
    assert index.resolve("sales/y.json") == tmp_path / "sales/y.json"
    assert [p.message for p in index.problems()] == []


def test_files_are_read_once_even_from_many_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        write(tmp_path, f"s{i}.json", swagger2(f"/v{i}", {"/x": {"get": OK}}))
    reads: list[Path] = []
    real_read = swagger._read

    def counting_read(path: Path) -> SpecFile | SpecProblem:
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(swagger, "_read", counting_read)
    index = SwaggerIndex(tmp_path)
    for i in range(5):
        index.name(f"s{i}.json")
    results: list[object] = []
    threads = [
        threading.Thread(
            target=lambda i=i: results.append(index.find("GET", f"/v{i % 5}/x", "s0.json"))
        )
        for i in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in results) and len(results) == 20
    assert sorted(p.name for p in reads) == [f"s{i}.json" for i in range(5)]


def test_one_index_and_contract_per_run_nothing_process_wide(pytester: pytest.Pytester) -> None:
    from pytest_seeds.plugin.state import contract, swagger_index

    config = pytester.parseconfigure()
    assert swagger_index(config) is swagger_index(config)
    assert contract(config) is contract(config)
    assert contract(config).index is swagger_index(config)
    other = pytester.parseconfigure()
    assert swagger_index(other) is not swagger_index(config)
    assert contract(other) is not contract(config)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (
            "PUT /business/scheduling/v1/items/bulk_create",
            ("PUT", "/business/scheduling/v1/items/bulk_create"),
        ),
        ("get  /v3/x/{uid}", ("GET", "/v3/x/{uid}")),
        (" POST /a ", ("POST", "/a")),
        ("/a/b", None),
        ("FETCH /a", None),
        ("GET a/b", None),
        ("GET /a b", None),
        ("", None),
        (None, None),
    ],
)
def test_split_endpoint(endpoint: str, expected: tuple[str, str] | None) -> None:
    assert split_endpoint(endpoint) == expected


def test_operations_compare_by_file_method_and_template(tmp_path: Path) -> None:
    write(tmp_path, "s.json", swagger2(None, {"/a/{id}": {"get": OK, "post": OK}}))
    index = SwaggerIndex(tmp_path)
    first, second = index.find("GET", "/a/1"), index.find("get", "/a/{{x}}")
    assert first == second and hash(first) == hash(second)
    assert first != index.find("POST", "/a/1")


def test_segments_mixing_literal_and_param(tmp_path: Path) -> None:
    write(tmp_path, "s.json", swagger2(None, {"/files/{name}.json": {"get": OK}}))
    index = SwaggerIndex(tmp_path)
    assert index.find("GET", "/files/report.json").template == "/files/{name}.json"
    assert index.find("GET", "/files/{{file}}.json") is not None
    assert index.find("GET", "/files/report.xml") is None
    assert index.find("GET", "/files/{{file}}.xml") is None
