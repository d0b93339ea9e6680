"""Reading a Streamlit page in a real browser: wait on its state, find problems, describe its figures.

Waits are on the app's own state, never on time: `stApp` carries `data-test-connection-state` and
`data-test-script-state`; an init script counts finished runs (transitions out of `running`) so that a wait
after a click cannot mistake the state before the rerun for the state after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import REPO_DIR

SCREENSHOT_DIR = REPO_DIR / "artifacts" / "screenshots"
LOAD_TIMEOUT_MS = 90_000
DRAW_TIMEOUT_MS = 20_000
VIEWPORTS = {
    "desktop": {"width": 1440, "height": 900},
    "phone": {"width": 390, "height": 844},
    "bigscreen": {"width": 1920, "height": 1080},
}
APP = "[data-testid='stApp']"
PROBLEM_SELECTORS = {
    "Streamlit exception": "[data-testid='stException']",
    "error element": "[data-testid='stAlertContentError']",
}

RUN_COUNTER = """
(() => {
  window.__stRunsDone = 0;
  const observer = new MutationObserver(records => {
    for (const r of records) {
      if (r.attributeName === 'data-test-script-state' && r.oldValue === 'running') window.__stRunsDone++;
    }
  });
  observer.observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                              attributeFilter: ['data-test-script-state']});
})();
"""

FIGURES_JS = """
window.__stFigures = (selector = "[data-testid='stPlotlyChart']") => [...document.querySelectorAll(selector)]
  .map((chart, index) => {
  const gd = chart.classList.contains('js-plotly-plot') ? chart : chart.querySelector('.js-plotly-plot');
  const box = chart.getBoundingClientRect();
  const visible = box.width > 0 && box.height > 0 && chart.offsetParent !== null;
  if (!gd) return {index, rendered: false, visible, traces: 0, tracesWithData: 0, marks: 0, signature: ''};
  const keys = ['x', 'y', 'z', 'locations', 'values', 'lat', 'lon', 'r', 'theta', 'a', 'b', 'c'];
  const data = gd.data || [];
  const withData = data.filter(t => t.visible !== false && t.visible !== 'legendonly' &&
    keys.some(k => t[k] && t[k].length > 0 && Array.from(t[k]).some(v => v !== null && v !== '')));
  // a mark counts when it covers some area (a zero-height bar does not) or is a line with length,
  // and is not transparent (maps carry an invisible anchor point)
  const drawn = el => {
    if (getComputedStyle(el).opacity === '0') return false;
    const b = el.getBBox();
    return b.width * b.height > 0 || (el.classList.contains('js-line') && el.getTotalLength() > 0);
  };
  const candidates = [...gd.querySelectorAll('g.trace path, g.trace rect, g.slice path, path.choroplethlocation')];
  const marks = candidates.filter(drawn).length;
  const hasMap = withData.some(t => t.type === 'choropleth' || t.type === 'choroplethmap');
  const mapDrawn = !hasMap || [...gd.querySelectorAll('path.choroplethlocation, canvas')].some(
    el => el.tagName === 'CANVAS' || drawn(el));
  const layout = gd.layout || {};
  const title = (layout.title && (layout.title.text || layout.title)) || '';
  const signature = JSON.stringify([title, data.map(t => [t.type, t.name,
    keys.map(k => t[k] ? Array.from(t[k]).slice(0, 400) : null)])]);
  return {index, rendered: !!gd.querySelector('.main-svg'), visible, traces: data.length,
          tracesWithData: withData.length, marks: mapDrawn ? marks : 0, title: String(title), signature};
});
// plotly emits plotly_afterplot once a figure is drawn completely (after fetching map boundaries, too)
window.__stHook = gd => {
  if (gd.__stHooked || typeof gd.on !== 'function') return;
  gd.__stHooked = true;
  gd.on('plotly_afterplot', () => { gd.__stDrawn = (gd.__stDrawn || 0) + 1; });
};
new MutationObserver(() => document.querySelectorAll('.js-plotly-plot').forEach(window.__stHook))
  .observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
window.__stSettled = () => !document.querySelector("[data-testid='stMain'] [data-testid='stSkeleton']")
  && [...document.querySelectorAll("[data-testid='stPlotlyChart']")].every(chart => {
    const gd = chart.querySelector('.js-plotly-plot');
    return gd && gd.querySelector('.main-svg') && (gd.__stDrawn || 0) > 0;
  });
"""


@dataclass
class Figure:
    index: int
    rendered: bool
    visible: bool
    traces: int
    tracesWithData: int  # as the browser reports it
    marks: int
    signature: str
    title: str = ""

    @property
    def empty(self) -> bool:
        return not self.rendered or self.tracesWithData == 0 or (self.visible and self.marks == 0)


def prepare(page: Page) -> None:
    """Install the run counter and the figure probes; call once per page before the first `goto`."""
    page.add_init_script(RUN_COUNTER)
    page.add_init_script(FIGURES_JS)


def runs_done(page: Page) -> int:
    return int(page.evaluate("window.__stRunsDone || 0"))


def wait_ready(page: Page, after_runs: int = 0, timeout: float = LOAD_TIMEOUT_MS) -> None:
    """Wait until connected, a run has finished after `after_runs` runs, nothing runs, and charts are drawn."""
    page.wait_for_function(
        """n => {
          const app = document.querySelector("[data-testid='stApp']");
          return app && app.dataset.testConnectionState === 'CONNECTED'
            && app.dataset.testScriptState === 'notRunning' && (window.__stRunsDone || 0) > n;
        }""",
        arg=after_runs,
        timeout=timeout,
    )
    wait_figures_drawn(page)


def wait_figures_drawn(page: Page, timeout: float = DRAW_TIMEOUT_MS) -> bool:
    """Wait until nothing is still loading (plotly.js comes lazily after the run) and plotly has finished
    drawing every chart (map boundaries are fetched by URL). False if that did not happen: `assert_healthy`
    then names the chart that stayed empty."""
    try:
        page.wait_for_function("() => window.__stSettled()", timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True


def open_app(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_ready(page)


def presenter_console(page: Page, url: str, token: str) -> Locator:
    """Open the presenter console at `url`, log in with `token`; returns its "weiter ▶" button."""
    open_app(page, url)
    page.get_by_text("Als Moderation anmelden").click()
    page.get_by_label("Moderations-Token").fill(token)
    act(page, lambda: page.get_by_role("button", name="Anmelden").click())
    forward = page.get_by_role("button", name="weiter ▶")
    forward.wait_for(timeout=LOAD_TIMEOUT_MS)
    return forward


def act(page: Page, action) -> None:
    """Do `action()` (a click, a selection) and wait for the rerun it triggers to finish."""
    before = runs_done(page)
    action()
    wait_ready(page, after_runs=before)


def problems(page: Page) -> list[str]:
    """Streamlit exceptions and error elements on the page, with their text."""
    found = []
    for what, selector in PROBLEM_SELECTORS.items():
        for element in page.locator(selector).all():
            text = " ".join(element.inner_text().split())[:300]
            found.append(f"{what}: {text}")
    return found


def figures(page: Page, selector: str = "[data-testid='stPlotlyChart']") -> list[Figure]:
    """The plotly figures in the elements matching `selector` (Streamlit's charts by default)."""
    return [Figure(**f) for f in page.evaluate("s => window.__stFigures(s)", selector)]


def wait_figures_change(page: Page, before: list[str], what: str) -> list[str]:
    """Wait until the figures differ from `before` (signatures), then until they are drawn; fail naming `what`.

    The run can finish a moment before plotly.js receives the new figures, so a single look could still
    see the old ones."""
    try:
        page.wait_for_function(
            "before => JSON.stringify(window.__stFigures().map(f => f.signature)) !== JSON.stringify(before)",
            arg=before,
            timeout=DRAW_TIMEOUT_MS,
        )
    except PlaywrightTimeout as exc:
        raise AssertionError(f"{what} left every figure as it was") from exc
    wait_figures_drawn(page)
    return [f.signature for f in figures(page)]


def drawn_count(page: Page, selector: str) -> int:
    """How often plotly has finished drawing the figure in `selector` (0 = not yet)."""
    return int(
        page.evaluate(
            """s => { const el = document.querySelector(s);
                      const gd = el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'));
                      return gd ? (gd.__stDrawn || 0) : 0; }""",
            selector,
        )
    )


def assert_healthy(page: Page, where: str) -> list[Figure]:
    """Fail on a Streamlit exception, an error element or an empty figure; return the figures."""
    issues = problems(page)
    figs = figures(page)
    issues += [
        f"empty figure #{f.index} ({f.title or 'untitled'}): rendered={f.rendered}, "
        f"traces with data={f.tracesWithData}/{f.traces}, marks drawn={f.marks}"
        for f in figs
        if f.empty
    ]
    assert not issues, f"{where}: " + "; ".join(issues)
    return figs


CUT_TEXTS_JS = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
  .flatMap((gd, index) => {
    const svg = gd.querySelector('.main-svg');
    if (!svg || svg.getBoundingClientRect().width === 0) return [];
    const box = svg.getBoundingClientRect();
    return [...gd.querySelectorAll('.main-svg text')]
      .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none'
              && getComputedStyle(t).visibility !== 'hidden' && !t.closest('.hoverlayer'))
      .filter(t => { const r = t.getBoundingClientRect();
                     return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1
                                            || r.top < box.top - 1 || r.bottom > box.bottom + 1); })
      .map(t => `figure #${index}: "${t.textContent.trim()}"`);
  })"""


def cut_texts(page: Page) -> list[str]:
    """Texts of the visible plotly figures that reach beyond the figure's edge (a cut label)."""
    return page.evaluate(CUT_TEXTS_JS)


OVERLAPS_JS = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
  .flatMap((gd, index) => {
    const texts = [...gd.querySelectorAll('.main-svg text')]
      .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none'
              && !t.closest('.hoverlayer, .xtick, .ytick'))
      .map(t => [t.textContent.trim(), t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
    const out = [];
    texts.forEach(([a, r], i) => texts.slice(i + 1).forEach(([b, q]) => {
      const x = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      const y = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (x > 2 && y > 2) out.push(`figure #${index}: "${a}" over "${b}"`);
    }));
    return out;
  })"""


def overlapping_texts(page: Page) -> list[str]:
    """Pairs of texts in a plotly figure printed over each other: value labels, map place names, legend,
    notes, titles (axis ticks aside: plotly spaces those itself)."""
    return page.evaluate(OVERLAPS_JS)


SCROLL_HEIGHT_JS = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  return Math.max(main ? main.scrollHeight : 0, document.documentElement.scrollHeight);
}"""
MAX_SCREENSHOT_HEIGHT = 12_000


def screenshot(page: Page, name: str) -> Path:
    """The whole page: Streamlit scrolls inside `stMain`, so the viewport is stretched to its height."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    viewport = page.viewport_size
    height = min(int(page.evaluate(SCROLL_HEIGHT_JS)), MAX_SCREENSHOT_HEIGHT)
    if viewport and height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        wait_figures_drawn(page)
        page.screenshot(path=str(path))
        page.set_viewport_size(viewport)
    else:
        page.screenshot(path=str(path), full_page=True)
    return path
