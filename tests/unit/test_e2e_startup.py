"""The e2e tier's start guard: a runtime that does not start is one error, not one per test."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SUITE = """
import pytest

from tests.e2e.startup import StartupGuard

GUARD = StartupGuard("server")
starts = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    GUARD.skip_if_failed(item)


@pytest.fixture(scope="session")
def server():
    def start():
        starts.append(1)
        raise AssertionError("not within 180 s: GET /v1/health answers 200")

    return GUARD.start(start)


def test_first(server): pass
def test_second(server): pass
def test_third(server): pass
def test_without_the_server(): assert starts == [1]
"""


def test_a_server_that_does_not_start_is_one_error_naming_why_and_its_other_tests_skip(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(SUITE.split("def test_first")[0])
    pytester.makepyfile(test_suite="from conftest import starts\n\ndef test_first" + SUITE.split("def test_first")[1])

    result = pytester.runpytest_inprocess("-p", "no:xdist", "-p", "no:cov", "-p", "no:cacheprovider", "-rs")

    result.assert_outcomes(passed=1, skipped=2, errors=1)
    result.stdout.fnmatch_lines(["*not within 180 s: GET /v1/health answers 200*"])
    result.stdout.fnmatch_lines(["*`server` did not start (AssertionError: not within 180 s*"])
