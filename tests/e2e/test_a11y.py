"""Accessibility: axe-core finds no critical and no serious violation on any page, on a desktop and a phone.

axe-core (Deque, MPL-2.0) is vendored as `tests/e2e/vendor/axe.min.js` (npm package `axe-core`, version in the
file's header), so a fresh clone needs no network; it is injected into each page after the app has finished
its run and every chart is drawn. Its default rule set includes WCAG 2 A/AA colour contrast and labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import streamlit_page as sp
from tests.e2e.test_pages import PAGES, page_name

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("critical", "serious")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n')[1])}));
}"""


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def describe(found: list[dict]) -> str:
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES, ids=page_name)
def test_no_critical_or_serious_axe_violations(app_server, new_page, path, viewport):
    page = new_page(viewport)
    sp.open_app(page, f"{app_server.url}/{path}")
    found = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not found, f"/{path} ({viewport}):\n{describe(found)}"
