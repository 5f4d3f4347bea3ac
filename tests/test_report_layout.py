"""Reports without noise: the transcript once, node-id paths, --tb styles, colour, cut-off steps."""

from __future__ import annotations

import re

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import line_of, run_seeds, runpytest, seed_doc, wire_args
from tests.tcp_servers import raw_server, silent

FAILING = "- {id: call, method: GET, path: /status/409/things}"
NO_FRAMES = re.compile(r"(pytest_seeds|urllib3)/\S+\.py:\d+")


@pytest.fixture(autouse=True)
def _tokens(tokens: dict[str, str]) -> None:
    """Every token type is configured for these tests."""


def _failing_seed(pytester: pytest.Pytester) -> str:
    text = seed_doc(
        "GET /v1/things", FAILING, prerequisites="- {id: make, method: GET, path: /v1/make}"
    )
    (pytester.path / "seeds" / "api").mkdir(parents=True)
    (pytester.path / "seeds" / "api" / "things.md").write_text(text)
    return f"seeds/api/things.md:{line_of(text, 'id: call')}"


def _failures(output: str) -> list[str]:
    """The lines of the FAILURES section, without its title lines."""
    section = output.split(" FAILURES ")[1].splitlines()[1:]
    end = next(i for i, line in enumerate(section) if line.startswith(("==", "--")))
    return [line for line in section[:end] if line.strip() and not line.startswith("__")]


def test_the_transcript_appears_once(pytester: pytest.Pytester, api: HTTPServer) -> None:
    _failing_seed(pytester)
    pytester.makefile(
        ".md", passing=seed_doc("GET /v1/ok", "- {id: fine, method: GET, path: /v1/ok}")
    )
    result = run_seeds(pytester, *wire_args(api), "-rA")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert output.count("make  GET") == 1, output
    assert output.count("call  GET") == 1, output
    assert output.count("fine  GET") == 1  # a passing seed's steps: its -rA section
    assert "seed steps (call)" in output


def test_paths_are_those_of_the_node_ids(pytester: pytest.Pytester, api: HTTPServer) -> None:
    where = _failing_seed(pytester)
    xml = pytester.path / "junit.xml"
    result = run_seeds(pytester, *wire_args(api), f"--junitxml={xml}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"  seed: {where}", "FAILED seeds/api/things.md::GET /v1/things*"])
    assert str(pytester.path) not in "\n".join(_failures(result.stdout.str())) + xml.read_text()
    assert f"  seed: {where}" in xml.read_text()


def test_tb_line_gives_one_line(pytester: pytest.Pytester, api: HTTPServer) -> None:
    where = _failing_seed(pytester)
    result = run_seeds(pytester, *wire_args(api), "--tb=line", "--show-capture=no")
    result.assert_outcomes(failed=1)
    assert _failures(result.stdout.str()) == [
        f"{where}: GET /v1/things: step 'call' (Test Request) failed"
    ]


def test_tb_no_gives_nothing(pytester: pytest.Pytester, api: HTTPServer) -> None:
    _failing_seed(pytester)
    result = run_seeds(pytester, *wire_args(api), "--tb=no")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "\nsteps:" not in output and "call  GET" not in output and "seed: " not in output
    result.stdout.fnmatch_lines(["FAILED seeds/api/things.md::GET /v1/things - GET /v1/things*"])


def test_tb_short(pytester: pytest.Pytester, api: HTTPServer) -> None:
    _failing_seed(pytester)
    result = run_seeds(pytester, *wire_args(api), "--tb=short", "--show-capture=no")
    result.assert_outcomes(failed=1)
    lines = _failures(result.stdout.str())
    assert len(lines) == 3, lines
    assert lines[0] == "GET /v1/things: step 'call' (Test Request) failed"
    assert lines[1].startswith("  expected status 200, received 409")
    assert re.fullmatch(
        r"  failed +call  GET http://\S+/status/409/things -> 409 \(\d+ ms\)", lines[2]
    )


def test_expected_and_received_in_pytest_colours(
    pytester: pytest.Pytester, api: HTTPServer
) -> None:
    _failing_seed(pytester)
    xml = pytester.path / "junit.xml"
    for args in [(), ("-n", "1")]:  # alone, and shipped by xdist as text
        result = run_seeds(pytester, *wire_args(api), "--color=yes", f"--junitxml={xml}", *args)
        output = result.stdout.str()
        assert "expected status \x1b[32m200\x1b[0m" in output, (args, output)
        assert "received \x1b[31m409\x1b[0m" in output, args
        assert "expected status 200, received 409" in xml.read_text()
        assert "\x1b" not in xml.read_text()


def _stalling_seed(pytester: pytest.Pytester, url: str) -> None:
    test = f"- {{id: stalled, method: GET, path: '{url}/stall'}}"
    pytester.makefile(
        ".md",
        stalled=seed_doc(
            "GET /stall", test, prerequisites="- {id: make, method: GET, path: /v1/make}"
        ),
    )


def _no_frames(output: str) -> None:
    assert "Traceback" not in output
    assert not NO_FRAMES.search(output), NO_FRAMES.search(output)


def test_a_step_cut_off_by_a_timeout(pytester: pytest.Pytester, api: HTTPServer) -> None:
    with raw_server(silent) as url:
        _stalling_seed(pytester, url)
        args = ["--timeout=1", "--timeout-method=signal", "--seeds-timeout=20"]
        result = run_seeds(pytester, *wire_args(api), *args, subprocess=True)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "GET /stall: step 'stalled' (Test Request) cut off",
            "  Timeout (>1.0s) from pytest-timeout.",
            "*ok        make  GET *",
            f"*cut off   stalled  GET {url}/stall (timeout after ?.? s)",
        ]
    )
    _no_frames(result.stdout.str())


CTRL_C = """
import os, signal, threading

def pytest_runtest_call(item):
    threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
"""


def test_a_step_interrupted_by_ctrl_c(pytester: pytest.Pytester, api: HTTPServer) -> None:
    pytester.makeconftest(CTRL_C)
    with raw_server(silent) as url:
        _stalling_seed(pytester, url)
        result = runpytest(
            pytester,
            f"--seeds-dir={pytester.path}",
            *wire_args(api),
            "--seeds-timeout=20",
            subprocess=True,
        )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "GET /stall: step 'stalled' (Test Request) interrupted",
            f"*interrupted stalled  GET {url}/stall (Ctrl-C after ?.? s)",
            "*! KeyboardInterrupt !*",
        ]
    )
    assert "stalled.md" in result.stdout.str()
    _no_frames(result.stdout.str().split("! KeyboardInterrupt !")[0])
