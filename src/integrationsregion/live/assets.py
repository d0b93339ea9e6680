"""HTML, CSS and JavaScript of the audience and big-screen pages: plain, dependency-free, served as strings.

All data from the server is inserted with ``textContent`` (never as HTML).
"""

from __future__ import annotations

COMMON_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;background:#fff;
line-height:1.4}
header{display:flex;justify-content:space-between;align-items:center;gap:.5rem;padding:.5rem .9rem;
background:#1f4e79;color:#fff;font-size:.9rem}
#conn{padding:.1rem .55rem;border-radius:1rem;font-weight:600;white-space:nowrap}
#conn.on{background:#2b8a3e}#conn.off{background:#c92a2a}
.meta{color:#444;margin:.2rem 0}
.source{color:#444;font-size:.8rem}
blockquote{margin:.8rem 0;padding:.5rem .9rem;border-left:.35rem solid #e8590c;background:#fff4e6}
blockquote footer{font-size:.85rem;color:#444;margin-top:.3rem}
button,.btn{font:inherit;font-weight:600;border:0;border-radius:.4rem;padding:.6rem 1rem;cursor:pointer;
background:#1f4e79;color:#fff;text-decoration:none;display:inline-block}
.btn.secondary,button.secondary{background:#e9ecef;color:#111}
[hidden]{display:none!important}
"""

LIVE_JS = """
const Live = (() => {
  let version = -1;
  const plotlyReady = new Promise(resolve => {
    if (window.Plotly) return resolve();
    document.getElementById('plotly').addEventListener('load', () => resolve());
  });
  function connect(role, onState, onConnection) {
    const es = new EventSource('/live/events?role=' + role);
    es.onopen = () => onConnection(true);
    es.onerror = () => {
      onConnection(false);
      if (es.readyState === EventSource.CLOSED) setTimeout(() => connect(role, onState, onConnection), 3000);
    };
    es.addEventListener('state', ev => {
      const state = JSON.parse(ev.data);
      if (state.version < version) return;
      version = state.version;
      onState(state);
    });
  }
  const figures = new Map();
  async function draw(el, figureOrUrl) {
    let fig = figureOrUrl;
    if (typeof figureOrUrl === 'string') {
      if (!figures.has(figureOrUrl)) figures.set(figureOrUrl, fetch(figureOrUrl).then(r => r.json()));
      fig = await figures.get(figureOrUrl);
    }
    await plotlyReady;
    const layout = Object.assign({}, fig.layout, {autosize: true});
    delete layout.width;
    if (el.dataset.big !== undefined) {
      // Big screen: type readable from the back of a hall, figure fills its box.
      layout.font = Object.assign({}, layout.font, {size: Math.max(16, Math.round(window.innerWidth / 85))});
      layout.height = el.clientHeight;
    }
    Plotly.react(el, fig.data, layout, {displayModeBar: false, responsive: true});
  }
  function text(id, value) {
    const el = document.getElementById(id);
    el.textContent = value || '';
    return el;
  }
  function connection(on) {
    const el = text('conn', on ? 'verbunden' : 'getrennt');
    el.className = on ? 'on' : 'off';
  }
  return {connect, draw, text, connection};
})();
"""

AUDIENCE_HTML = (
    """<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Live – Integrationsregion Ruhr</title>
<script id="plotly" src="/live/plotly.min.js" async></script>
<style>"""
    + COMMON_CSS
    + """
main{max-width:46rem;margin:0 auto;padding:.6rem .9rem 2rem}
h1{font-size:1.35rem;margin:.3rem 0 .5rem}
#takeaway{font-size:1.1rem;font-weight:500}
#paused{background:#fff3bf;padding:.6rem .9rem;display:flex;gap:.8rem;align-items:center;justify-content:space-between}
#poll{border:2px solid #1f4e79;border-radius:.5rem;padding:.7rem .9rem;margin:1rem 0}
#poll h2{font-size:1.1rem;margin:0 0 .5rem}
#vote{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
#guess{font:inherit;font-size:1.2rem;width:8rem;padding:.45rem;border:2px solid #1f4e79;border-radius:.4rem}
#vote-msg.error{color:#c92a2a;font-weight:600}
nav{display:flex;gap:.6rem;flex-wrap:wrap;margin-top:1rem}
</style></head>
<body>
<header><span id="tour">Integrationsregion Ruhr · Live</span><span id="conn" class="off">getrennt</span></header>
<div id="paused" hidden><span>Sie erkunden selbst – die Live-Ansicht ist angehalten.</span>
<button id="resume">Live folgen</button></div>
<main>
<p id="meta" class="meta"></p>
<h1 id="title">Warten auf die erste Szene …</h1>
<div id="fig"></div>
<p id="takeaway"></p>
<blockquote id="statement" hidden><div id="st-text"></div><div id="st-para" class="source"></div><footer id="st-who"></footer></blockquote>
<section id="poll" hidden>
<h2 id="question"></h2>
<form id="vote"><input id="guess" name="value" inputmode="decimal" autocomplete="off" required
aria-label="Ihre Schätzung"><span id="unit"></span><button type="submit">Schätzung senden</button></form>
<p id="vote-msg" role="status"></p>
<div id="results" hidden><div id="rfig"></div><p id="rtext"></p></div>
</section>
<p id="source" class="source"></p>
<nav><a id="explore" class="btn" href="/" target="_blank" rel="noopener">Selbst erkunden</a>
<button id="follow" class="secondary" hidden>Live folgen</button></nav>
</main>
<script>"""
    + LIVE_JS
    + """
(() => {
  let paused = false, pending = null, sceneKey = null, pollId = null;
  const $ = id => document.getElementById(id);
  function apply(s) {
    if (paused) { pending = s; return; }
    const sc = s.scene;
    Live.text('tour', s.tour_title ? s.tour_title + ' · Live' : 'Live');
    Live.text('meta', [sc.theme_label, sc.indicator_title, sc.year, sc.breakdown_label].filter(Boolean).join(' · '));
    Live.text('title', sc.title);
    Live.text('takeaway', sc.takeaway);
    Live.text('source', sc.source ? 'Quelle: ' + sc.source : '');
    $('explore').href = sc.explore_url;
    $('statement').hidden = !sc.statement;
    if (sc.statement) {
      Live.text('st-text', sc.statement.text);
      Live.text('st-para', sc.statement.paraphrase);
      Live.text('st-who', sc.statement.speaker + ', ' + sc.statement.role + ' (' + sc.statement.source + ')');
    }
    if (sc.key !== sceneKey) { sceneKey = sc.key; Live.draw($('fig'), sc.figure_url); }
    const p = s.poll;
    $('poll').hidden = !p || (!p.open && !p.revealed);
    if (p) {
      if (p.id !== pollId) { pollId = p.id; Live.text('vote-msg', ''); $('guess').value = ''; }
      Live.text('question', p.question);
      Live.text('unit', p.unit);
      const voted = localStorage.getItem('ir-voted-' + p.id);
      $('vote').hidden = !p.open || !!voted;
      if (voted && p.open) Live.text('vote-msg', 'Ihre Schätzung ist gespeichert.');
      $('results').hidden = !(p.revealed && p.results);
      if (p.revealed && p.results) {
        const r = p.results;
        if (r.figure) Live.draw($('rfig'), r.figure);
        Live.text('rtext', 'Amtlicher Wert (' + r.unit_name + '): ' + r.official +
          (r.n ? ' · Median der Schätzungen: ' + r.median + ' · ' + r.n + ' Schätzungen' : ' · keine Schätzungen'));
      }
    }
  }
  $('vote').addEventListener('submit', async ev => {
    ev.preventDefault();
    const msg = $('vote-msg');
    try {
      const r = await fetch('/live/poll/' + encodeURIComponent(pollId) + '/vote', {
        method: 'POST', headers: {'Content-Type': 'application/json'}, credentials: 'same-origin',
        body: JSON.stringify({value: $('guess').value})});
      const body = await r.json();
      msg.className = body.ok ? '' : 'error';
      msg.textContent = body.ok ? body.message : body.error;
      if (body.ok || r.status === 409) { localStorage.setItem('ir-voted-' + pollId, '1'); $('vote').hidden = true; }
    } catch (e) { msg.className = 'error'; msg.textContent = 'Keine Verbindung – bitte erneut versuchen.'; }
  });
  function setPaused(value) {
    paused = value;
    $('paused').hidden = !value; $('follow').hidden = !value;
    if (!value && pending) { const s = pending; pending = null; apply(s); }
  }
  $('explore').addEventListener('click', () => setPaused(true));
  $('resume').addEventListener('click', () => setPaused(false));
  $('follow').addEventListener('click', () => setPaused(false));
  Live.connect('audience', apply, Live.connection);
})();
</script></body></html>
"""
)

SCREEN_HTML = (
    """<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Leinwand – Integrationsregion Ruhr</title>
<script id="plotly" src="/live/plotly.min.js" async></script>
<style>"""
    + COMMON_CSS
    + """
body{font-size:1.6vw;min-height:100vh;display:flex;flex-direction:column}
header{font-size:1.1vw;padding:.6vw 1.5vw}
main{flex:1;display:grid;grid-template-columns:1fr 17vw;gap:2vw;padding:1.2vw 2vw}
h1{font-size:3.2vw;margin:.2vw 0 .8vw;line-height:1.1}
.meta{font-size:1.3vw}
#takeaway{font-size:2.1vw;font-weight:600;margin:.8vw 0}
#fig,#rfig{width:100%;height:58vh}
aside{display:flex;flex-direction:column;align-items:center;gap:.6vw;text-align:center}
aside img{width:100%;height:auto;border:1px solid #ccc}
#url{font-size:1.3vw;font-weight:700;word-break:break-all}
#question{font-size:2.4vw;margin:.6vw 0}
blockquote{font-size:1.7vw}
.source{font-size:1.1vw}
</style></head>
<body>
<header><span id="tour">Integrationsregion Ruhr · Live</span><span><span id="followers"></span>
<span id="conn" class="off">getrennt</span></span></header>
<main><section>
<p id="meta" class="meta"></p>
<h1 id="title">Warten auf die erste Szene …</h1>
<p id="question" hidden></p>
<div id="fig" data-big></div><div id="rfig" data-big hidden></div>
<p id="takeaway"></p>
<blockquote id="statement" hidden><div id="st-text"></div><div id="st-para" class="source"></div><footer id="st-who"></footer></blockquote>
<p id="source" class="source"></p>
</section>
<aside><img src="/live/qr.svg" alt="QR-Code zur Live-Ansicht"><div>Live auf dem Handy:</div><div id="url"></div>
<div id="poll-hint" hidden><strong>Jetzt schätzen!</strong></div></aside></main>
<script>"""
    + LIVE_JS
    + """
(() => {
  let sceneKey = null, revealedKey = null;
  const $ = id => document.getElementById(id);
  Live.text('url', location.host + '/live');
  function apply(s) {
    const sc = s.scene, p = s.poll;
    Live.text('tour', s.tour_title ? s.tour_title + ' · Live' : 'Live');
    Live.text('meta', [sc.theme_label, sc.indicator_title, sc.year, sc.breakdown_label].filter(Boolean).join(' · '));
    Live.text('title', sc.title);
    Live.text('takeaway', sc.takeaway);
    Live.text('source', sc.source ? 'Quelle: ' + sc.source : '');
    $('statement').hidden = !sc.statement;
    if (sc.statement) {
      Live.text('st-text', sc.statement.text);
      Live.text('st-para', sc.statement.paraphrase);
      Live.text('st-who', sc.statement.speaker + ', ' + sc.statement.role + ' (' + sc.statement.source + ')');
    }
    const showResults = !!(p && p.revealed && p.results && p.results.figure);
    $('question').hidden = !(p && (p.open || p.revealed));
    if (p) Live.text('question', p.question + (p.revealed && p.results ? ' – amtlich: ' + p.results.official +
      ', Median der Schätzungen: ' + (p.results.median || '–') + ' (' + p.results.n + ')' : ''));
    $('poll-hint').hidden = !(p && p.open);
    $('fig').hidden = showResults; $('rfig').hidden = !showResults;
    if (showResults && revealedKey !== s.version) { revealedKey = s.version; Live.draw($('rfig'), p.results.figure); }
    if (!showResults && sc.key !== sceneKey) { sceneKey = sc.key; Live.draw($('fig'), sc.figure_url); }
    if (!showResults) window.dispatchEvent(new Event('resize'));
  }
  async function followers() {
    try {
      const r = await (await fetch('/live/followers.json')).json();
      Live.text('followers', (r.audience || 0) + ' Geräte folgen · ');
    } catch (e) {}
  }
  followers(); setInterval(followers, 10000);
  Live.connect('screen', apply, Live.connection);
})();
</script></body></html>
"""
)
