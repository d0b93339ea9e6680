(() => {
  const $ = Live.$;
  function fitAll() {
    const h = $('stage').clientHeight;
    for (const id of ['meta', 'title', 'takeaway', 'question', 'result', 'url']) Live.fit($(id), h * 0.016);
    Live.fit($('statement'), h * 0.014);
    Live.fit($('source'), h * 0.009);
  }
  function apply(s) {
    const sc = s.scene, p = s.poll;
    Live.text('tour', s.tour_title ? s.tour_title + ' · Live' : 'Live');
    Live.text('meta', [sc.theme_label, sc.indicator_title, sc.year, sc.breakdown_label].filter(Boolean).join(' · '));
    Live.text('title', sc.title);
    Live.text('takeaway', sc.takeaway);
    Live.text('source', sc.source ? 'Quelle: ' + sc.source : '');
    Live.statement(sc.statement);
    const active = !!(p && (p.open || p.revealed));
    const r = p && p.revealed ? p.results : null;
    $('question').hidden = !active;
    if (active) Live.text('question', p.question);
    $('cue').hidden = !(p && p.open);
    $('takeaway').hidden = active;
    $('result').hidden = !r;
    if (r) {
      const res = $('result');
      res.textContent = '';
      const official = document.createElement('strong');
      official.textContent = 'Amtlich: ' + r.official;
      res.append(official, document.createElement('br'),
        r.n ? 'Median der Schätzungen: ' + r.median + ' · ' + Live.plural(r.n, 'Schätzung', 'Schätzungen')
            : 'Keine Schätzungen eingegangen.');
    }
    $('fig').hidden = false;
    if (r && r.n) Live.figure($('fig'), r.figure, 'stage');
    else Live.figure($('fig'), sc.key, 'stage');
    $('fig').alt = r ? 'Verteilung der Schätzungen mit amtlichem Wert und Median' : 'Balkendiagramm: ' + sc.indicator_title;
    fitAll();
  }
  async function followers() {
    try {
      const r = await (await fetch(Live.base + '/live/followers.json')).json();
      Live.text('followers', r.audience === 1 ? '1 Gerät folgt ·' : Live.number(r.audience || 0, 0) + ' Geräte folgen ·');
    } catch (e) { Live.text('followers', ''); }
  }
  followers(); setInterval(followers, 10000);
  window.addEventListener('resize', fitAll);
  Live.connect('screen', apply, Live.connection);
})();
