(() => {
  const $ = Live.$;
  let paused = false, pending = null, pollId = null;
  const saved = id => localStorage.getItem('ir-guess-' + id);
  function showPoll(p) {
    $('poll').hidden = !p || (!p.open && !p.revealed);
    if (!p) { document.title = 'Live – Integrationsregion Ruhr'; return; }
    if (p.id !== pollId) { pollId = p.id; Live.text('vote-msg', ''); $('guess').value = ''; }
    const mine = saved(p.id);
    Live.text('question', p.question);
    Live.text('unit', p.unit);
    $('cue').hidden = !p.open || mine !== null;
    $('vote').hidden = !p.open || mine !== null;
    if (p.open && mine !== null) Live.text('vote-msg', 'Ihre Schätzung ist gespeichert. Das Ergebnis kommt gleich.');
    if (p.open && mine === null) {
      document.title = '● Jetzt schätzen – Live';
      window.scrollTo({top: 0});
    } else document.title = 'Live – Integrationsregion Ruhr';
    const r = p.revealed ? p.results : null;
    $('results').hidden = !r;
    if (!r) return;
    Live.text('vote-msg', '');
    const d = r.decimals;
    let distance = 'Sie haben nicht mitgeschätzt.';
    if (mine !== null && r.official_value !== null) {
      const off = Math.abs(Number(mine) - r.official_value);
      const [one, many] = r.unit === '%' ? ['Prozentpunkt', 'Prozentpunkte'] : [r.unit, r.unit];
      distance = 'Ihre Schätzung: ' + Live.number(Number(mine), d) + ' ' + r.unit + ' – ' +
        (off === 0 ? 'genau getroffen!' : 'Sie lagen ' + Live.number(off, d) + ' ' + (off === 1 ? one : many) + ' daneben.');
    }
    Live.text('distance', distance);
    Live.text('rtext', 'Amtlich (' + r.unit_name + '): ' + r.official + ' · ' +
      (r.n ? 'Median der Schätzungen: ' + r.median + ' · ' + Live.plural(r.n, 'Schätzung', 'Schätzungen')
           : 'keine Schätzungen'));
    $('rfig').hidden = !r.n;
    if (r.n) Live.figure($('rfig'), r.figure, 'phone');
  }
  function apply(s) {
    if (paused) { pending = s; return; }
    const sc = s.scene;
    Live.text('tour', s.tour_title ? s.tour_title + ' · Live' : 'Live');
    Live.text('meta', [sc.theme_label, sc.indicator_title, sc.year, sc.breakdown_label].filter(Boolean).join(' · '));
    Live.text('title', sc.title);
    Live.text('takeaway', sc.takeaway);
    Live.text('source', sc.source ? 'Quelle: ' + sc.source : '');
    $('explore').href = Live.base + sc.explore_path;
    Live.statement(sc.statement);
    $('fig').hidden = false;
    Live.figure($('fig'), sc.key, 'phone');
    showPoll(s.poll);
  }
  $('vote').addEventListener('submit', async ev => {
    ev.preventDefault();
    const msg = $('vote-msg');
    try {
      const r = await fetch(Live.base + '/live/poll/' + encodeURIComponent(pollId) + '/vote', {
        method: 'POST', headers: {'Content-Type': 'application/json'}, credentials: 'same-origin',
        body: JSON.stringify({value: $('guess').value})});
      const body = await r.json();
      msg.className = body.ok ? '' : 'error';
      msg.textContent = body.ok ? body.message : body.error;
      if (body.ok) { localStorage.setItem('ir-guess-' + pollId, String(body.value)); $('vote').hidden = true; $('cue').hidden = true; }
    } catch (e) { msg.className = 'error'; msg.textContent = 'Keine Verbindung – bitte erneut senden.'; }
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
