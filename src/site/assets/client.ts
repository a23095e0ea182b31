// The client script, inlined in the grid pages. It only enhances: the grid pages are complete
// without it. It shows the filter form and, as the visitor types or picks, renders the matching
// extensions from data/grid.json (every extension, not just the page's), with the same markup as
// grid.ts. Plain ES2017, no dependencies; kept as text so the bundled CLI carries it.
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var form = document.getElementById('filter');
  var grids = document.getElementById('grids');
  if (!form || !grids || !window.fetch || !window.history) return;
  var root = document.documentElement.getAttribute('data-root') || '';
  var el = form.elements;
  var q = el.namedItem('q'), pg = el.namedItem('pg'), on = el.namedItem('on'), failing = el.namedItem('failing');
  var status = document.getElementById('f-status');
  var pager = document.querySelector('.pager');
  var STATES = { b: 'built', f: 'failed', s: 'stale', m: 'missing', x: 'excluded' };
  var PAGE = 60;
  var original = Array.prototype.slice.call(grids.childNodes);
  var initial = current();
  var loading = null, matches = [], shown = 0, data = null, scheduled = false;
  var more = document.createElement('button');
  more.type = 'button';
  more.className = 'more';
  more.hidden = true;
  grids.parentNode.insertBefore(more, grids.nextSibling);
  form.hidden = false;

  function current() {
    return { q: q.value.trim().toLowerCase(), pg: pg.value, on: on.value, failing: failing.checked };
  }
  function same(a, b) {
    return a.q === b.q && a.pg === b.pg && a.on === b.on && a.failing === b.failing;
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }
  function load() {
    if (!loading) {
      loading = fetch(root + 'data/grid.json').then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function select(d, f) {
    var rows = [];
    d.majors.forEach(function (m, i) { if (!f.pg || String(m) === f.pg) rows.push(i); });
    var out = [];
    d.extensions.forEach(function (e) {
      if (f.q && e[0].toLowerCase().indexOf(f.q) < 0) return;
      var cols = [];
      e[3].forEach(function (c, i) {
        var id = d.columns[c].id;
        if (!f.on || id === f.on || id === 'any') cols.push(i);
      });
      if (!cols.length || !rows.length) return;
      var n = e[3].length;
      if (f.failing && !rows.some(function (r) {
        return cols.some(function (c) { return e[4].charAt(r * n + c).toLowerCase() === 'f'; });
      })) return;
      out.push([e, rows, cols]);
    });
    return out;
  }

  function grid(d, m) {
    var e = m[0], n = e[3].length, dir = root + 'ext/' + e[2] + '/';
    var h = '<div class="card"><div class="scroll"><table class="grid"><caption><a href="' + esc(dir) + '">' + esc(e[0]) + '</a>' +
      (e[1] ? ' <span class="ver">' + esc(e[1]) + '</span>' : '') + '</caption><thead><tr><th scope="col">Postgres</th>';
    m[2].forEach(function (c) { h += '<th scope="col">' + esc(d.columns[e[3][c]].label) + '</th>'; });
    h += '</tr></thead><tbody>';
    m[1].forEach(function (r) {
      var major = d.majors[r];
      h += '<tr><th scope="row">' + major + '</th>';
      m[2].forEach(function (c) {
        var ch = e[4].charAt(r * n + c), state = STATES[ch.toLowerCase()], col = d.columns[e[3][c]];
        if (ch === ch.toLowerCase()) {
          h += '<td class="s-' + state + '">' + state + '</td>';
        } else {
          var label = e[0] + ' ' + e[1] + ', Postgres ' + major + ', ' + col.label + ': ' + state;
          h += '<td class="s-' + state + '"><a href="' + esc(dir + 'pg' + major + '-' + col.id + '.html') + '" aria-label="' + esc(label) + '">' + state + '</a></td>';
        }
      });
      h += '</tr>';
    });
    return h + '</tbody></table></div></div>';
  }

  function showMore() {
    var next = matches.slice(shown, shown + PAGE);
    grids.insertAdjacentHTML('beforeend', next.map(function (m) { return grid(data, m); }).join(''));
    shown += next.length;
    var left = matches.length - shown;
    more.hidden = left <= 0;
    more.textContent = 'Show ' + Math.min(left, PAGE) + ' more (' + left + ' not shown)';
    status.textContent = matches.length === 1 ? '1 extension matches.' :
      matches.length + ' extensions match' + (left > 0 ? ', showing ' + shown : '') + '.';
  }

  function setUrl(f) {
    var p = [];
    // Only what differs from the page's own view, so the address reopens the same filter.
    if (f.q) p.push('q=' + encodeURIComponent(q.value.trim()));
    if (f.pg !== initial.pg) p.push('pg=' + encodeURIComponent(f.pg));
    if (f.on !== initial.on) p.push('on=' + encodeURIComponent(f.on));
    if (f.failing !== initial.failing) p.push('failing=' + (f.failing ? '1' : '0'));
    history.replaceState(null, '', location.pathname + (p.length ? '?' + p.join('&') : '') + location.hash);
  }

  function apply() {
    scheduled = false;
    var f = current();
    setUrl(f);
    if (same(f, initial)) {
      grids.replaceChildren.apply(grids, original);
      more.hidden = true;
      if (pager) pager.hidden = false;
      status.textContent = '';
      return;
    }
    status.textContent = data ? status.textContent : 'Loading…';
    load().then(function (d) {
      if (!same(f, current())) return;
      data = d;
      matches = select(d, f);
      shown = 0;
      grids.replaceChildren();
      if (pager) pager.hidden = true;
      if (!matches.length) grids.innerHTML = '<p>No extension matches.</p>';
      showMore();
    }, function (err) {
      status.textContent = 'Could not load the search data (' + err.message + '): use the links below.';
    });
  }
  function schedule() {
    if (!scheduled) { scheduled = true; requestAnimationFrame(apply); }
  }

  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  form.addEventListener('submit', function (ev) { ev.preventDefault(); apply(); });
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  form.addEventListener('focusin', function () { load().catch(function () {}); }, { once: true });
  more.addEventListener('click', showMore);

  // A shared address (?q=...&pg=...) opens with its filter applied.
  var params = new URLSearchParams(location.search);
  if (params.has('q') || params.has('pg') || params.has('on') || params.has('failing')) {
    q.value = params.get('q') || '';
    if (params.has('pg')) pg.value = params.get('pg');
    if (params.has('on')) on.value = params.get('on');
    if (params.has('failing')) failing.checked = params.get('failing') === '1';
    apply();
  }
})();
`;
