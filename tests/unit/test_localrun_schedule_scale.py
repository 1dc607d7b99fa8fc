"""`make dev`'s schedule scale: rate(...) schedules run faster when asked (trying the order expiry), never slower."""

from __future__ import annotations

import pytest

from devkit.localrun.__main__ import _parse


def test_the_schedules_run_as_on_aws_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_SCHEDULE_SCALE", raising=False)
    assert _parse([]).schedule_scale == 1.0


def test_the_option_or_the_environment_compresses_the_schedules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_SCHEDULE_SCALE", "0.05")
    assert _parse([]).schedule_scale == 0.05
    assert _parse(["--schedule-scale", "0.5"]).schedule_scale == 0.5


@pytest.mark.parametrize("scale", ["0", "-1", "2", "nan", "inf", "fast"])
def test_a_scale_that_is_not_above_0_and_at_most_1_is_refused(
    scale: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LOCAL_SCHEDULE_SCALE", raising=False)
    with pytest.raises(SystemExit):
        _parse(["--schedule-scale", scale])
    assert "--schedule-scale" in capsys.readouterr().err
