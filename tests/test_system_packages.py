"""A missing browser, redis-server or nginx: outside CI the test skips with the reason, under CI=true it fails."""

from __future__ import annotations

import pytest

from tests import system_packages

pytestmark = pytest.mark.unit

REASON = "no redis-server (Debian package redis-server): apt-get exited 100"


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_under_ci_a_missing_tool_fails_with_the_reason(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="apt-get exited 100"):
        system_packages.unavailable(REASON)


@pytest.mark.parametrize("value", [None, "", "false"])
def test_outside_ci_a_missing_tool_skips_with_the_reason(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="apt-get exited 100"):
        system_packages.unavailable(REASON)


def test_a_file_counts_as_installed_only_when_it_exists(tmp_path):
    present = tmp_path / "module.so"
    present.write_bytes(b"")
    assert system_packages.which(str(present)) == str(present)
    assert system_packages.which(str(tmp_path / "absent.so")) is None
