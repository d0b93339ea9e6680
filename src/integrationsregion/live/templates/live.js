const Live = (() => {
  const base = document.body.dataset.base || '';
  let version = -1, source = null, timer = null;
  function connect(role, onState, onConnection) {
    if (source) source.close();
    source = new EventSource(base + '/live/events?role=' + role);
    source.onopen = () => { version = -1; onConnection(true); };
    source.onerror = () => {
      onConnection(false);
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        timer = setTimeout(() => connect(role, onState, onConnection), 3000);
      }
    };
    source.addEventListener('state', ev => {
      const state = JSON.parse(ev.data);
      if (state.version < version) return;
      version = state.version;
      onState(state);
    });
  }
  const $ = id => document.getElementById(id);
  function text(id, value) {
    const el = $(id);
    el.textContent = value == null ? '' : String(value);
    return el;
  }
  function figure(img, name, target) {
    const src = base + '/live/figure/' + encodeURIComponent(name) + '-' + target + '.svg';
    if (img.getAttribute('src') !== src) img.setAttribute('src', src);
  }
  function number(value, decimals) {
    return Number(value).toLocaleString('de-DE', {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
  }
  function plural(n, one, many) { return number(n, 0) + ' ' + (n === 1 ? one : many); }
  function connection(on) {
    const el = text('conn', on ? 'verbunden' : 'getrennt');
    el.className = on ? 'on' : 'off';
  }
  function fit(el, minPx) {
    // shrink the text until it fits its box (big screen: nothing may overflow the stage)
    el.style.fontSize = '';
    let size = parseFloat(getComputedStyle(el).fontSize);
    while ((el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) && size > minPx) {
      size = size * 0.93;
      el.style.fontSize = size + 'px';
    }
  }
  function statement(s) {
    $('statement').hidden = !s;
    if (!s) return;
    text('st-text', s.text);
    text('st-para', s.paraphrase);
    text('st-who', s.speaker + ', ' + s.role + (s.source ? ' (' + s.source + ')' : ''));
  }
  return {base, connect, $, text, figure, number, plural, connection, fit, statement};
})();
