import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  expandJobs
} from "./chunk-ODAXK2KW.js";
import {
  entryPlatforms,
  loadValidMatrix
} from "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import {
  parseIndex
} from "./chunk-OKZLGS3U.js";
import {
  TRUNK_OS
} from "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-APBUJ7GA.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";

// src/site/index.ts
import { existsSync as existsSync2 } from "node:fs";
import path2 from "node:path";

// src/site/model.ts
var CELL_STATES = ["built", "failed", "stale", "missing", "excluded"];
var ANY = "any";
function cellId(pg, column) {
  return `pg${pg}-${column}`;
}
function columnOf(e) {
  return e.platform.endsWith(`-${ANY}`) ? ANY : `${TRUNK_OS[e.libc]}-${e.arch}`;
}
function emptyCounts() {
  return { built: 0, failed: 0, stale: 0, missing: 0, excluded: 0 };
}
var SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
function slug(name) {
  if (SLUG.test(name)) return name;
  let h = 2166136261;
  for (const c of new TextEncoder().encode(name)) h = Math.imul(h ^ c, 16777619) >>> 0;
  return `_${h.toString(16).padStart(8, "0")}`;
}
function newestFirst(a, b) {
  return (Date.parse(b.builtAt) || 0) - (Date.parse(a.builtAt) || 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
function platformColumn(p) {
  return { id: `${TRUNK_OS[p.libc]}-${p.arch}`, label: `${p.arch} ${p.libc}`, arch: p.arch, libc: p.libc };
}
function buildModel(index, matrix) {
  const byExtension = /* @__PURE__ */ new Map();
  for (const e of index.entries) {
    let cells = byExtension.get(e.extension);
    if (!cells) byExtension.set(e.extension, cells = /* @__PURE__ */ new Map());
    const id = cellId(e.pg, columnOf(e));
    cells.set(id, [...cells.get(id) ?? [], e]);
  }
  for (const cells of byExtension.values()) for (const list of cells.values()) list.sort(newestFirst);
  const columns = /* @__PURE__ */ new Map();
  for (const p of matrix?.platforms ?? []) if (!columns.has(platformColumn(p).id)) columns.set(platformColumn(p).id, platformColumn(p));
  const extra = [...new Map(index.entries.filter((e) => columnOf(e) !== ANY).map((e) => [columnOf(e), platformColumn(e)])).values()];
  for (const c of extra.sort((a, b) => a.id.localeCompare(b.id))) if (!columns.has(c.id)) columns.set(c.id, c);
  const platformColumns = [...columns.values()];
  const anyColumn = { id: ANY, label: "any (SQL only)" };
  const allColumns = [...platformColumns, anyColumn];
  const majors = [.../* @__PURE__ */ new Set([...matrix?.platformsFile.postgres ?? [], ...index.entries.map((e) => e.pg)])].sort((a, b) => a - b);
  const jobs = /* @__PURE__ */ new Map();
  for (const j of matrix ? expandJobs(matrix) : []) jobs.set(`${j.extension}\0${cellId(j.pg, j.platform.endsWith(`-${ANY}`) ? ANY : `${TRUNK_OS[j.libc]}-${j.arch}`)}`, j.key);
  const loaded = new Map((matrix?.entries ?? []).map((l) => [l.entry.name, l]));
  const names = [.../* @__PURE__ */ new Set([...loaded.keys(), ...byExtension.keys()])].sort(compareNames);
  const counts = emptyCounts();
  const extensions = names.map((name) => {
    const entry = loaded.get(name);
    const cells = byExtension.get(name) ?? /* @__PURE__ */ new Map();
    const built = [...cells.values()].flat();
    const sqlOnly = entry ? entry.entry.language === "sql" : built.length > 0 && built.every((e) => columnOf(e) === ANY);
    const has = new Set(built.map(columnOf));
    const ids = new Set(sqlOnly ? [ANY] : platformColumns.map((c) => c.id));
    for (const id of has) ids.add(id);
    const extColumns = allColumns.filter((c) => ids.has(c.id));
    const grid = {
      name,
      slug: slug(name),
      version: entry?.entry.version ?? [...built].sort(newestFirst)[0]?.version ?? "",
      ...entry ? { abstract: entry.entry.abstract, license: entry.entry.license, homepage: entry.entry.homepage } : {},
      controls: entry?.entry.contents.extensions ?? [],
      preload: Object.entries(entry?.entry.contents.modules ?? {}).filter(([, m]) => m.preload === "server").map(([n]) => n),
      sqlOnly,
      inMatrix: matrix === void 0 || entry !== void 0,
      columns: extColumns,
      rows: [],
      counts: emptyCounts()
    };
    grid.rows = majors.map(
      (pg) => extColumns.map((col) => {
        const id = cellId(pg, col.id);
        const cell = matrix ? plannedCell(matrix, entry, pg, col, cells.get(id) ?? [], jobs.get(`${name}\0${id}`)) : indexCell(pg, col, cells.get(id) ?? []);
        grid.counts[cell.state]++;
        counts[cell.state]++;
        return cell;
      })
    );
    return grid;
  });
  return { generatedAt: index.generatedAt, withMatrix: matrix !== void 0, majors, columns: allColumns.filter((c) => extensions.some((x) => x.columns.includes(c))), extensions, entries: index.entries.length, counts };
}
function indexCell(pg, col, builds) {
  const [entry, ...others] = builds;
  return entry ? { pg, column: col.id, state: entry.status, entry, others } : { pg, column: col.id, state: "missing", others };
}
function plannedCell(matrix, loaded, pg, col, builds, plannedKey) {
  const base = { pg, column: col.id };
  if (plannedKey !== void 0) {
    const current = builds.find((e) => e.key === plannedKey);
    if (current) return { ...base, state: current.status, entry: current, others: builds.filter((e) => e !== current), plannedKey };
    const [entry2, ...others2] = builds;
    return entry2 ? { ...base, state: "stale", entry: entry2, others: others2, plannedKey } : { ...base, state: "missing", others: others2, plannedKey };
  }
  const [entry, ...others] = builds;
  return { ...base, state: "excluded", ...entry ? { entry } : {}, others, reason: exclusionReason(matrix, loaded, pg, col) };
}
function exclusionReason(matrix, loaded, pg, col) {
  if (!loaded) return "no longer in the matrix";
  const { entry } = loaded;
  const sql = entry.language === "sql";
  if (sql && col.id !== ANY) return 'SQL-only now: built once per major, as "any"';
  if (!sql && col.id === ANY) return "not SQL-only now: built per platform";
  const { arch, libc } = col.id === ANY ? matrix.platformsFile.default : { arch: col.arch, libc: col.libc };
  const platform = matrix.platforms.find((p) => p.pg === pg && p.arch === arch && p.libc === libc);
  if (!platform) return `Postgres ${pg} on ${arch} ${libc} is not a platform of the matrix`;
  if (entryPlatforms({ ...entry, platforms: void 0 }, [platform]).length === 0) {
    return `outside the supported Postgres versions (${entry.dependencies.postgres?.version ?? "*"})`;
  }
  for (const x of entry.platforms?.exclude ?? []) {
    if (entryPlatforms({ ...entry, platforms: { exclude: [x] } }, [platform]).length === 0) {
      const what = [x.pg !== void 0 ? `pg ${x.pg}` : "", x.arch ?? "", x.libc ?? ""].filter(Boolean).join(", ");
      return `excluded (${what})${x.reason ? `: ${x.reason}` : ""}`;
    }
  }
  return "not planned";
}
function compareNames(a, b) {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

// src/site/read-index.ts
import { readFile } from "node:fs/promises";
function parseIndex2(bytes, source) {
  const index = parseIndex(bytes.toString("utf8"), source);
  const seen = /* @__PURE__ */ new Map();
  index.entries.forEach((e, i) => {
    const first = seen.get(e.key);
    if (first !== void 0) throw new UserError(`${source}: entries[${i}]: build key ${e.key} is already used by entries[${first}]`);
    seen.set(e.key, i);
  });
  return index;
}
async function readIndex(file) {
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code2 = err.code;
    throw new UserError(`--index ${file}: ${code2 === "ENOENT" ? "no such file" : code2 === "EISDIR" ? "is a directory" : err.message}`);
  }
  return { index: parseIndex2(bytes, file), bytes };
}

// src/site/html.ts
var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function esc(value) {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
function safeUrl(url) {
  if (!url) return void 0;
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:" ? url : void 0;
  } catch {
    return void 0;
  }
}
function externalLink(url, text = url ?? "") {
  const safe = safeUrl(url);
  if (safe) return `<a href="${esc(safe)}">${esc(text)}</a>`;
  return url && url !== text ? `${esc(text)} <code>${esc(url)}</code>` : esc(text);
}
function formatBytes(n) {
  if (n < 1e3) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  do {
    v /= 1e3;
    u++;
  } while (v >= 1e3 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
function formatCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
function shellQuote(s) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
function yamlScalar(s) {
  return /^[A-Za-z0-9_./@-][A-Za-z0-9_./@:+-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~|[-+]?\d[\d.e+-]*)$/i.test(s) ? s : JSON.stringify(s);
}

// src/site/grid.ts
function extensionDir(ext) {
  return `ext/${ext.slug}/`;
}
function cellPage(ext, cell) {
  return `${extensionDir(ext)}${cellId(cell.pg, cell.column)}.html`;
}
function cellHasPage(cell) {
  return cell.entry !== void 0;
}
var STATE_HELP = {
  built: "the build the plan wants is published",
  failed: "the build the plan wants failed",
  stale: "a build is published, but the plan now wants a new one (entry, images or recipe changed)",
  missing: "planned, not built yet",
  excluded: "not planned: outside the extension\u2019s Postgres range, excluded, or the platform is gone"
};
function gridHtml(model, shown, root) {
  const { ext, rows, cols } = shown;
  const dir = root + extensionDir(ext);
  const head = cols.map((c) => `<th scope="col">${esc(ext.columns[c].label)}</th>`).join("");
  const body = rows.map((r) => {
    const pg = model.majors[r];
    const cells = cols.map((c) => {
      const cell = ext.rows[r][c];
      if (!cellHasPage(cell)) return `<td class="s-${cell.state}">${cell.state}</td>`;
      const label = `${ext.name} ${ext.version}, Postgres ${pg}, ${ext.columns[c].label}: ${cell.state}`;
      return `<td class="s-${cell.state}"><a href="${esc(dir + cellId(cell.pg, cell.column))}.html" aria-label="${esc(label)}">${cell.state}</a></td>`;
    }).join("");
    return `<tr><th scope="row">${pg}</th>${cells}</tr>`;
  }).join("");
  const version = ext.version ? ` <span class="ver">${esc(ext.version)}</span>` : "";
  return `<div class="card"><div class="scroll"><table class="grid"><caption><a href="${esc(dir)}">${esc(ext.name)}</a>${version}</caption><thead><tr><th scope="col">Postgres</th>${head}</tr></thead><tbody>${body}</tbody></table></div></div>`;
}
var STATE_LETTER = { built: "b", failed: "f", stale: "s", missing: "m", excluded: "x" };
function gridData(model) {
  const index = new Map(model.columns.map((c, i) => [c.id, i]));
  return {
    v: 1,
    majors: model.majors,
    columns: model.columns.map(({ id, label }) => ({ id, label })),
    extensions: model.extensions.map((ext) => [
      ext.name,
      ext.version,
      ext.slug,
      ext.columns.map((c) => index.get(c.id)),
      ext.rows.map((row2) => row2.map((cell) => cellHasPage(cell) ? STATE_LETTER[cell.state].toUpperCase() : STATE_LETTER[cell.state]).join("")).join("")
    ])
  };
}

// src/site/assets/client.ts
var CLIENT_JS = String.raw`(function () {
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

// src/site/assets/style.ts
var STYLE = `*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1f24;background:#fff}
a{color:#0a4fb5}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #b0008e;outline-offset:2px}
main:focus{outline:none}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.875em}
code{overflow-wrap:anywhere}
pre{background:#f3f5f7;border:1px solid #d0d7de;border-radius:6px;padding:.75rem;overflow-x:auto;max-width:100%}
pre code{overflow-wrap:normal}
.skip{position:absolute;left:-10000px;top:.5rem;background:#fff;color:#0a4fb5;padding:.5rem .75rem;z-index:10}
.skip:focus{left:.5rem}
.top{background:#1b1f24;color:#e6e9ec;padding:.6rem 1rem}
.top .brand{color:#fff;font-weight:700;margin-right:.5rem}
main{display:block;max-width:84rem;margin:0 auto;padding:1rem}
footer{max-width:84rem;margin:2rem auto 0;padding:1rem;border-top:1px solid #d0d7de;color:#4a535d;font-size:.9rem}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 .75rem;overflow-wrap:anywhere}
h1 .sub{display:block;font-size:1.05rem;font-weight:400;color:#4a535d}
h2{font-size:1.25rem;margin:1.75rem 0 .5rem}
h3{font-size:1rem;margin:1.25rem 0 .4rem}
.muted,.ver{color:#4a535d;font-weight:400}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.summary{margin:.25rem 0}
.totals{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0}
.tag{display:inline-block;padding:0 .4rem;border:1px solid currentColor;border-radius:3px;font-size:.85em;line-height:1.5}
.s-built{background:#d4f3dc;color:#0b4619}
.s-failed{background:#ffdcdc;color:#870b0b;font-weight:600}
.s-stale{background:#fff0b3;color:#573d00}
.s-missing{background:#ffffff;color:#474747}
.s-excluded{background:repeating-linear-gradient(135deg,#ececec 0 6px,#e2e2e2 6px 12px);color:#474747}
.filters h2{margin-top:1rem}
.filter{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;padding:.75rem;background:#f3f5f7;border:1px solid #d0d7de;border-radius:6px}
.filter label{display:block;font-weight:600;font-size:.9rem}
.filter input[type=search]{width:14rem;max-width:100%}
.filter input,.filter select,.filter button{font:inherit;font-size:1rem;padding:.3rem .5rem;border:1px solid #6e7781;border-radius:4px;background:#fff;color:inherit}
.filter button{background:#1b1f24;color:#fff;border-color:#1b1f24;cursor:pointer}
.filter button[type=reset]{background:#fff;color:#1b1f24}
.filter .check{display:flex;align-items:center;gap:.4rem;min-height:2.2rem}
.filter .check label{display:inline}
.filter .check input{width:1.1rem;height:1.1rem}
.filter .status{flex-basis:100%;margin:0}
.browse{display:grid;gap:.35rem;margin:.75rem 0}
.browse nav{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .5rem}
.browse h3{margin:0;font-size:.9rem;min-width:6.5rem}
.browse ul{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:0;padding:0}
.browse a{display:inline-block;min-width:2rem;padding:.1rem .45rem;border:1px solid #d0d7de;border-radius:4px;text-align:center;text-decoration:none}
.browse a[aria-current]{background:#1b1f24;color:#fff;border-color:#1b1f24;font-weight:600}
.legend{margin:.5rem 0 1rem}
.legend summary{cursor:pointer;color:#0a4fb5}
.legend dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:.5rem 0}
.legend dd{margin:0}
.grids{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,22rem),1fr));gap:.75rem}
.grids.one{grid-template-columns:minmax(0,40rem)}
.card{content-visibility:auto;contain-intrinsic-size:auto 14rem;min-width:0;border:1px solid #d0d7de;border-radius:6px;padding:.4rem .5rem .5rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse}
caption{text-align:left;font-weight:600;padding:.15rem 0 .35rem}
.grid{width:100%;font-size:.875rem}
.grid caption{overflow-wrap:anywhere}
.grid th,.grid td{border:1px solid #c4ccd4;padding:.3rem .35rem;text-align:center;white-space:nowrap}
.grid thead th{font-size:.8rem;line-height:1.2;background:#f3f5f7;white-space:normal}
.grid tbody th{background:#f3f5f7;width:3rem}
.grid td a{display:block;margin:-.3rem -.35rem;padding:.3rem .35rem;color:inherit;text-decoration:none}
.grid td a:hover{text-decoration:underline}
.more{margin:1rem 0;font:inherit;padding:.4rem .8rem;border:1px solid #6e7781;border-radius:4px;background:#fff;cursor:pointer}
.pager{display:flex;justify-content:space-between;gap:1rem;margin:1.25rem 0}
.crumbs ol{display:flex;flex-wrap:wrap;list-style:none;margin:0;padding:0;gap:.25rem;font-size:.9rem}
.crumbs li+li::before{content:"/";margin-right:.25rem;color:#4a535d}
.state{margin:.5rem 0 1rem}
.abstract{font-size:1.1rem}
.note,.failure{border-left:4px solid #870b0b;background:#fff5f5;padding:.5rem .75rem}
.note{border-color:#573d00;background:#fffbea}
.failure h2{margin-top:.5rem}
.facts th{text-align:left;vertical-align:top;padding:.3rem 1rem .3rem 0;white-space:nowrap}
.facts td{padding:.3rem 0;vertical-align:top;overflow-wrap:anywhere}
table:not(.grid):not(.facts) th,table:not(.grid):not(.facts) td{border-bottom:1px solid #d0d7de;padding:.3rem .6rem .3rem 0;text-align:left;vertical-align:top}
.reasons{padding-left:1.25rem}
@media (max-width:40rem){
main{padding:.75rem .6rem}
.card{padding:.3rem .3rem .4rem}
.grid{font-size:.8rem}
.grid th,.grid td,.grid td a{padding-left:.2rem;padding-right:.2rem}
.grid td a{margin-left:-.2rem;margin-right:-.2rem}
h1{font-size:1.35rem}
.facts th{white-space:normal;max-width:8rem}
}
`;

// src/site/page-shell.ts
var STYLESHEET = "assets/site.css";
var INDEX_COPY = "index.json";
var GRID_DATA = "data/grid.json";
function rootOf(pagePath) {
  return "../".repeat(pagePath.split("/").length - 1);
}
function page(info, options, main) {
  const root = rootOf(info.path);
  const canonical = options.baseUrl ? `<link rel="canonical" href="${esc(options.baseUrl + info.path.replace(/(^|\/)index\.html$/, "$1"))}">` : "";
  const style = info.entryPoint ? `<style>${STYLE}</style>` : `<link rel="stylesheet" href="${root}${STYLESHEET}">`;
  const script = info.entryPoint ? `<script>${CLIENT_JS.replaceAll("</", "<\\/")}</script>
` : "";
  const indexUrl = options.baseUrl ? options.baseUrl + INDEX_COPY : `${root}${INDEX_COPY}`;
  return `<!doctype html>
<html lang="en" data-root="${esc(root)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} \xB7 trunkfarm</title>
<link rel="icon" href="data:,">
${style}
<link rel="alternate" type="application/json" href="${esc(indexUrl)}">
${canonical}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="${root || "./"}">trunkfarm</a> <span>PostgreSQL extension builds</span></header>
<main id="main" tabindex="-1">
${main}
</main>
<footer><p>Generated from <a href="${esc(indexUrl)}">index.json</a> (${esc(info.generatedAt)}).</p></footer>
${script}</body>
</html>
`;
}

// src/site/usage.ts
var IMAGE_VOLUME_MIN_PG = 18;
function pinnedImage(oci, registry) {
  const withoutDigest = oci.ref.split("@")[0];
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const name = repository.slice(repository.lastIndexOf("/") + 1);
  return `${registry ? `${registry.replace(/\/+$/, "")}/${name}` : repository}@${oci.digest}`;
}
function volumeName(extension) {
  const label = `ext-${extension.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`.slice(0, 63).replace(/-+$/, "");
  return label;
}
function confString(s) {
  return `'${oneLine(s).replaceAll("'", "''")}'`;
}
function oneLine(s) {
  return s.replace(/[\u0000-\u001f\u007f]/g, "?");
}
function sqlIdentifier(s) {
  return /^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`;
}
function usage(entry, opts) {
  const out = {};
  const name = entry.extension;
  if (entry.oci && entry.pg >= IMAGE_VOLUME_MIN_PG) {
    const image = pinnedImage(entry.oci, opts.registry);
    const preload = opts.preload.length > 0 ? `
    shared_preload_libraries:
${opts.preload.map((m) => `      - ${yamlScalar(m)}`).join("\n")}` : "";
    out.cnpg = `# in your Cluster (PostgreSQL ${entry.pg} image)
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
spec:
  postgresql:${preload}
    extensions:
      - name: ${yamlScalar(name)}
        image:
          reference: ${yamlScalar(image)}`;
    const mount = `/extensions/${oneLine(name)}`;
    out.imageVolume = `# Pod spec: the image mounted read-only at ${mount}
volumes:
  - name: ${volumeName(name)}
    image:
      reference: ${yamlScalar(image)}
      pullPolicy: IfNotPresent
containers:
  - name: postgres
    volumeMounts:
      - name: ${volumeName(name)}
        mountPath: ${yamlScalar(mount)}
        readOnly: true`;
    out.postgresqlConf = `extension_control_path = ${confString(`$system:${mount}/share`)}
dynamic_library_path = ${confString(`$libdir:${mount}/lib`)}${opts.preload.length > 0 ? `
shared_preload_libraries = ${confString(opts.preload.join(","))}  # needs a restart` : ""}`;
  }
  if (entry.trunk) {
    const file = shellQuote(entry.trunk.file);
    const fetch = entry.trunk.url ? `curl -fL -o ${file} ${shellQuote(entry.trunk.url)}
` : "";
    out.install = `${fetch}# into the PostgreSQL ${entry.pg} that pg_config names:
trunkfarm install ${file} --pg-config "$(command -v pg_config)"
# or laid out under /extensions/${oneLine(name)} for extension_control_path (PostgreSQL 18+):
trunkfarm install ${file} --extensions-dir /extensions`;
  }
  if (opts.controls.length > 0 && (out.cnpg || out.install)) {
    out.sql = opts.controls.map((c) => `CREATE EXTENSION ${sqlIdentifier(c)};`).join("\n");
  }
  return out;
}

// src/site/artifact-page.ts
function extensionArtifactPages(ext) {
  const out = [];
  const used = /* @__PURE__ */ new Set();
  for (const row2 of ext.rows) {
    for (const cell of row2) {
      if (cell.entry) out.push({ path: cellPage(ext, cell), entry: cell.entry, ext, cell, current: true });
      for (const other of cell.others) {
        const stem = `${extensionDir(ext)}${cellId(cell.pg, cell.column)}-${keySegment(other.key)}`;
        let path3 = `${stem}.html`;
        for (let n = 2; used.has(path3); n++) path3 = `${stem}-${n}.html`;
        used.add(path3);
        out.push({ path: path3, entry: other, ext, cell, current: false });
      }
    }
  }
  return out;
}
function keySegment(key) {
  const clean = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return clean.slice(0, 12) || "build";
}
var row = (header, value) => `<tr><th scope="row">${esc(header)}</th><td>${value}</td></tr>`;
var code = (s) => `<code>${esc(s)}</code>`;
var facts = (caption, rows) => `<div class="scroll"><table class="facts"><caption class="vh">${esc(caption)}</caption><tbody>${rows.join("")}</tbody></table></div>`;
var snippet = (id, title, text, note = "") => `<h3 id="${id}">${esc(title)}</h3>${note}<pre tabindex="0" aria-labelledby="${id}"><code>${esc(text)}</code></pre>`;
function artifactPage(model, a, options, paths) {
  const { entry: e, ext, cell } = a;
  const root = rootOf(a.path);
  const column = ext.columns.find((c) => c.id === cell.column);
  const where = `Postgres ${e.pg}, ${column.label}`;
  const title = `${e.extension} ${e.version} for ${where}`;
  const state = a.current ? `<p class="state"><span class="s-${cell.state} tag">${cell.state}</span> ${esc(stateText(cell))}</p>` : `<p class="state"><span class="s-${e.status} tag">${e.status}</span> An earlier build of this cell; the grid shows <a href="${esc(root + cellPage(ext, cell))}">${esc(cell.entry?.version ?? "another build")}</a>.</p>`;
  const failure = e.failure ? `<section class="failure" aria-labelledby="h-failure"><h2 id="h-failure">Failure</h2><p>Step <code>${esc(e.failure.step)}</code> failed:</p><pre tabindex="0"><code>${esc(e.failure.message)}</code></pre>${e.logUrl ? `<p>${externalLink(e.logUrl, "Build log")}</p>` : ""}</section>` : "";
  const artifact = facts(`The build of ${e.extension}`, [
    row("Status", `<span class="s-${e.status} tag">${e.status}</span>`),
    row("Platform", code(e.platform)),
    row("Size", e.trunk ? `${formatBytes(e.trunk.size)} <span class="muted">(${formatCount(e.trunk.size)} byte${e.trunk.size === 1 ? "" : "s"}, trunk file)</span>` : e.oci ? `${formatBytes(e.oci.size)} (image)` : "\u2014"),
    row("Files", e.trunk ? formatCount(e.trunk.files) : "\u2014"),
    row("Trunk file", e.trunk ? externalLink(e.trunk.url, e.trunk.file) : "\u2014"),
    row("Image", e.oci ? code(e.oci.ref) : "\u2014"),
    row("Signature", e.signature ? `${e.signature.kind === "keyless" ? "keyless (Sigstore, GitHub Actions identity)" : "signed with the farm\u2019s key"}: ${safeUrl(e.signature.bundle) ? externalLink(e.signature.bundle, "bundle") : code(e.signature.bundle)}` : "not signed"),
    row("Build log", e.logUrl ? externalLink(e.logUrl, "log") : "\u2014"),
    row("Built at", `<time datetime="${esc(e.builtAt)}">${esc(e.builtAt)}</time>`),
    row("Build key", code(e.key))
  ]);
  const digests = facts("Digests", [
    row("Trunk file (sha256)", e.trunk ? code(e.trunk.sha256) : "\u2014"),
    row("Image manifest", e.oci ? code(e.oci.digest) : "\u2014"),
    row("Source", code(e.provenance.sourceDigest || "\u2014"))
  ]);
  const { closure } = e;
  const problems = closure.problems.length > 0 ? `<div class="scroll"><table><caption>Problems</caption><thead><tr><th scope="col">File</th><th scope="col">Problem</th></tr></thead><tbody>${closure.problems.map((p) => `<tr><td>${code(p.file)}</td><td>${esc(p.message)}</td></tr>`).join("")}</tbody></table></div>` : "";
  const bundled = closure.bundled.length > 0 ? `<div class="scroll"><table><caption>Bundled libraries (${closure.bundled.length})</caption><thead><tr><th scope="col">Library</th><th scope="col">Package</th><th scope="col">License</th><th scope="col">Size</th><th scope="col">sha256</th></tr></thead><tbody>${closure.bundled.map(
    (b) => `<tr><th scope="row">${code(b.soname)}<br><span class="muted">${esc(b.file)}</span></th><td>${b.package ? `${esc(b.package)} ${esc(b.packageVersion ?? "")}` : '<span class="muted">unknown</span>'}</td><td>${b.license ? esc(b.license) : '<span class="muted">unknown</span>'}</td><td>${formatBytes(b.size)}</td><td>${code(b.sha256.slice(0, 16))}\u2026</td></tr>`
  ).join("")}</tbody></table></div>` : "<p>No bundled libraries: everything it links to is in the base image.</p>";
  const closureHtml = `<p><span class="${closure.ok ? "s-built" : "s-failed"} tag">${closure.ok ? "ok" : "fail"}</span> ${closure.ok ? "Every library it loads resolves inside the package or the base image, with no LD_LIBRARY_PATH." : "Some files do not resolve: see the problems."}</p>${problems}${bundled}`;
  const provenance = facts("Provenance", [
    row("Source", safeUrl(e.provenance.source) ? externalLink(e.provenance.source) : code(e.provenance.source)),
    row("Builder image", code(e.provenance.builderImage)),
    row("Base image", code(e.provenance.baseImage)),
    row("Workflow run", e.provenance.runUrl ? externalLink(e.provenance.runUrl) : '<span class="muted">built outside GitHub Actions</span>')
  ]);
  const u = usage(e, { controls: ext.controls, preload: ext.preload, ...options.registry ? { registry: options.registry } : {} });
  const parts = [];
  if (e.status !== "built") parts.push("<p>Nothing to install: this build failed.</p>");
  else {
    if (u.cnpg && u.imageVolume && u.postgresqlConf) {
      parts.push(
        snippet("use-cnpg", "CloudNativePG", u.cnpg, "<p>Cluster <code>.spec.postgresql.extensions</code>: needs an operator with image-volume extensions and Kubernetes\u2019 ImageVolume feature; the image must match the cluster\u2019s Postgres major, libc and CPU architecture.</p>"),
        snippet("use-volume", "Kubernetes image volume", u.imageVolume),
        snippet("use-conf", "postgresql.conf for the image volume", u.postgresqlConf)
      );
    } else if (e.oci) {
      parts.push(`<p>The image <code>${esc(pinnedImage(e.oci, options.registry))}</code> needs PostgreSQL ${IMAGE_VOLUME_MIN_PG} or later to be mounted as an image volume (<code>extension_control_path</code>); for Postgres ${e.pg}, install the trunk file.</p>`);
    }
    if (u.install) parts.push(snippet("use-install", "trunkfarm install", u.install));
    if (u.sql) parts.push(snippet("use-sql", "Then, in the database", u.sql));
    if (parts.length === 0) parts.push("<p>This build has neither a trunk file nor an image in the index.</p>");
  }
  const others = [cell.entry, ...cell.others].filter((o) => o !== void 0 && o !== e);
  const otherBuilds = others.length > 0 ? `<section aria-labelledby="h-others"><h2 id="h-others">Other builds of this cell</h2>${buildsTable(others, root, "Other builds", paths)}</section>` : "";
  const main = `<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="${root || "./"}">All extensions</a></li><li><a href="${esc(root + extensionDir(ext))}">${esc(ext.name)}</a></li><li aria-current="page">${esc(cellId(cell.pg, cell.column))}</li></ol></nav>
<h1>${esc(e.extension)} ${esc(e.version)} <span class="sub">for ${esc(where)}</span></h1>
${state}
${failure}
<section aria-labelledby="h-artifact"><h2 id="h-artifact">Artifact</h2>${artifact}</section>
<section aria-labelledby="h-closure"><h2 id="h-closure">Closure</h2>${closureHtml}</section>
<section aria-labelledby="h-provenance"><h2 id="h-provenance">Provenance</h2>${provenance}</section>
<section aria-labelledby="h-digests"><h2 id="h-digests">Digests</h2>${digests}</section>
<section aria-labelledby="h-use"><h2 id="h-use">How to use it</h2>${parts.join("\n")}</section>
${otherBuilds}`;
  return page({ path: a.path, title, generatedAt: model.generatedAt }, options, main);
}
function stateText(cell) {
  switch (cell.state) {
    case "stale":
      return "The plan now wants a new build of this cell (its entry, images or recipe changed); this is the newest published one.";
    case "excluded":
      return `The plan no longer builds this cell (${cell.reason ?? "excluded"}); this is the last published build.`;
    default:
      return `${STATE_HELP[cell.state].replace(/^./, (c) => c.toUpperCase())}.`;
  }
}
function buildsTable(entries, root, caption, paths) {
  return `<div class="scroll"><table><caption>${esc(caption)}</caption><thead><tr><th scope="col">Platform</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Built at</th></tr></thead><tbody>${entries.map((o) => {
    const href = paths.get(o.key);
    const platform = href ? `<a href="${esc(root + href)}">${esc(o.platform)}</a>` : esc(o.platform);
    return `<tr><th scope="row">${platform}</th><td>${esc(o.version)}</td><td><span class="s-${o.status} tag">${o.status}</span></td><td><time datetime="${esc(o.builtAt)}">${esc(o.builtAt)}</time></td></tr>`;
  }).join("")}</tbody></table></div>`;
}

// src/site/extension-page.ts
function extensionPage(model, ext, options, paths) {
  const path3 = `${extensionDir(ext)}index.html`;
  const root = rootOf(path3);
  const about = [];
  const fact = (h, v) => about.push(`<tr><th scope="row">${esc(h)}</th><td>${v}</td></tr>`);
  if (ext.version) fact("Version", esc(ext.version));
  if (ext.license) fact("License", esc(ext.license));
  if (ext.homepage) fact("Homepage", externalLink(ext.homepage));
  if (ext.controls.length > 0) fact("Provides", ext.controls.map((c) => `<code>CREATE EXTENSION ${esc(c)}</code>`).join(", "));
  if (ext.preload.length > 0) fact("Preload", `${ext.preload.map((m) => `<code>${esc(m)}</code>`).join(", ")} in <code>shared_preload_libraries</code>`);
  fact("Kind", ext.sqlOnly ? "SQL only: one package per Postgres major, for every platform" : "compiled: one package per Postgres major and platform");
  fact("Cells", CELL_STATES.filter((s) => ext.counts[s] > 0).map((s) => `${formatCount(ext.counts[s])} ${s}`).join(", "));
  const note = ext.inMatrix ? "" : '<p class="note">This extension is no longer in the matrix: its builds stay listed, but none is planned.</p>';
  const reasons = /* @__PURE__ */ new Map();
  for (const row2 of ext.rows) {
    for (const cell of row2) {
      if (cell.state !== "excluded" && cell.state !== "missing") continue;
      const why = cell.state === "missing" ? "planned, not built yet" : cell.reason ?? "not planned";
      reasons.set(why, [...reasons.get(why) ?? [], cellId(cell.pg, cell.column)]);
    }
  }
  const notBuilt = reasons.size > 0 ? `<section aria-labelledby="h-notbuilt"><h2 id="h-notbuilt">Not built</h2><ul class="reasons">${[...reasons].map(([why, cells]) => `<li>${esc(why)}: ${cells.map((c) => `<code>${esc(c)}</code>`).join(" ")}</li>`).join("")}</ul></section>` : "";
  const builds = ext.rows.flat().flatMap((c) => [c.entry, ...c.others]).filter((e) => e !== void 0);
  const grid = gridHtml(model, { ext, rows: model.majors.map((_, i) => i), cols: ext.columns.map((_, i) => i) }, root);
  const main = `<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="${root}">All extensions</a></li><li aria-current="page">${esc(ext.name)}</li></ol></nav>
<h1>${esc(ext.name)}</h1>
${ext.abstract ? `<p class="abstract">${esc(ext.abstract)}</p>` : ""}
${note}
<div class="scroll"><table class="facts"><caption class="vh">About ${esc(ext.name)}</caption><tbody>${about.join("")}</tbody></table></div>
<section aria-labelledby="h-grid"><h2 id="h-grid">Builds by Postgres major and platform</h2><div class="grids one">${grid}</div></section>
${notBuilt}
<section aria-labelledby="h-builds"><h2 id="h-builds">Every build in the index</h2>${builds.length > 0 ? buildsTable(builds, root, `${builds.length} builds of ${ext.name}`, paths) : "<p>None yet.</p>"}</section>`;
  return { path: path3, html: page({ path: path3, title: ext.name, generatedAt: model.generatedAt }, options, main) };
}

// src/site/grid-page.ts
function pageName(c) {
  return c.parts > 1 ? `${c.letters} (${c.part} of ${c.parts})` : c.letters;
}
function gridPage(model, all, current, at, options) {
  const { view, chunks } = current;
  const chunk2 = chunks[at];
  const path3 = view.dir + (chunk2?.file ?? "index.html");
  const root = rootOf(path3);
  const href = (target) => (root + target).replace(/(^|\/)index\.html$/, "$1") || "./";
  const sameChunk = (other) => other.view.dir + (other.chunks.find((c) => c.id === chunk2?.id)?.file ?? "index.html");
  const navList = (label, items) => `<nav aria-label="${esc(label)}"><h3>${esc(label)}</h3><ul>${items.map((i) => `<li><a href="${esc(href(i.target))}"${i.current ? ' aria-current="page"' : ""}>${esc(i.text)}</a></li>`).join("")}</ul></nav>`;
  const byDim = (pred) => all.filter((p) => pred(p.view));
  const allView = all[0];
  const letters = chunks.filter((c) => c.part === 1);
  const names = navList("Name", letters.map((c) => ({ text: c.letters, target: view.dir + c.file, current: c.letters === chunk2?.letters }))) + (chunk2 && chunk2.parts > 1 ? navList(`Pages of ${chunk2.letters}`, chunks.filter((c) => c.letters === chunk2.letters).map((c) => ({ text: `${c.label}\u2026`, target: view.dir + c.file, current: c === chunk2 }))) : "");
  const majors = navList("Postgres", [
    { text: "all", target: sameChunk(view.filter.pg === void 0 ? current : allView), current: view.filter.pg === void 0 },
    ...byDim((v) => v.filter.pg !== void 0).map((p) => ({ text: String(p.view.filter.pg), target: sameChunk(p), current: p === current }))
  ]);
  const platforms = navList("Platform", [
    { text: "all", target: sameChunk(view.filter.column === void 0 ? current : allView), current: view.filter.column === void 0 },
    ...byDim((v) => v.filter.column !== void 0).map((p) => ({ text: model.columns.find((c) => c.id === p.view.filter.column).label, target: sameChunk(p), current: p === current }))
  ]);
  const failingView = all.find((p) => p.view.filter.failing);
  const failing = navList("Status", [
    { text: "any status", target: sameChunk(view.filter.failing ? allView : current), current: !view.filter.failing },
    { text: `failing only (${formatCount(failingView.total)})`, target: failingView.view.dir + "index.html", current: current === failingView }
  ]);
  const option = (value, text, selected) => `<option value="${esc(value)}"${selected ? " selected" : ""}>${esc(text)}</option>`;
  const form = `<form id="filter" class="filter" role="search" method="get" hidden>
<div><label for="f-q">Name</label><input id="f-q" name="q" type="search" autocomplete="off" spellcheck="false"></div>
<div><label for="f-pg">Postgres</label><select id="f-pg" name="pg">${option("", "all", view.filter.pg === void 0)}${model.majors.map((pg) => option(String(pg), String(pg), view.filter.pg === pg)).join("")}</select></div>
<div><label for="f-on">Platform</label><select id="f-on" name="on">${option("", "all", view.filter.column === void 0)}${model.columns.filter((c) => c.id !== "any").map((c) => option(c.id, c.label, view.filter.column === c.id)).join("")}</select></div>
<div class="check"><input id="f-failing" name="failing" type="checkbox" value="1"${view.filter.failing ? " checked" : ""}><label for="f-failing">Failing only</label></div>
<div class="buttons"><button type="submit">Filter</button> <button type="reset">Reset</button></div>
<p id="f-status" class="status" role="status" aria-live="polite"></p>
</form>`;
  const shown = chunk2?.items.length ?? 0;
  const heading = chunks.length > 1 && chunk2 ? `${view.title}: ${pageName(chunk2)}` : view.title;
  const counts = CELL_STATES.map((s) => `<li><span class="s-${s} tag">${s}</span> ${formatCount(model.counts[s])}</li>`).join("");
  const summary = `<p class="summary">${formatCount(model.extensions.length)} extensions, ${formatCount(model.entries)} builds in the index${model.withMatrix ? "" : " (no matrix given: excluded and stale cells are not known)"}. This view: ${formatCount(current.total)} extensions, ${formatCount(shown)} on this page.</p>`;
  const legend = `<details class="legend"><summary>What the states mean</summary><dl>${CELL_STATES.map((s) => `<dt><span class="s-${s} tag">${s}</span></dt><dd>${esc(STATE_HELP[s])}</dd>`).join("")}</dl></details>`;
  const prev = chunks[at - 1];
  const next = chunks[at + 1];
  const pager = prev || next ? `<nav class="pager" aria-label="Previous and next page">${prev ? `<a href="${esc(href(view.dir + prev.file))}" rel="prev">\u2190 ${esc(pageName(prev))}</a>` : "<span></span>"}${next ? `<a href="${esc(href(view.dir + next.file))}" rel="next">${esc(pageName(next))} \u2192</a>` : ""}</nav>` : "";
  const grids = chunk2 ? chunk2.items.map((s) => gridHtml(model, s, root)).join("\n") : "<p>No extension matches.</p>";
  const main = `<h1>${esc(heading)}</h1>
${summary}
<ul class="totals" aria-label="Cells by state, whole site">${counts}</ul>
<section class="filters" aria-labelledby="filters-h">
<h2 id="filters-h">Find</h2>
${form}
<div class="browse">${names}${majors}${platforms}${failing}</div>
</section>
${legend}
<div id="grids" class="grids">
${grids}
</div>
${pager}`;
  return { path: path3, html: page({ path: path3, title: heading, entryPoint: true, generatedAt: model.generatedAt }, options, main) };
}

// src/site/views.ts
function applyFilter(model, filter) {
  const q = filter.q?.trim().toLowerCase();
  const rows = model.majors.flatMap((pg, i) => filter.pg === void 0 || filter.pg === pg ? [i] : []);
  const out = [];
  for (const ext of model.extensions) {
    if (q && !ext.name.toLowerCase().includes(q)) continue;
    const cols = ext.columns.flatMap((c, i) => filter.column === void 0 || c.id === filter.column || c.id === ANY ? [i] : []);
    if (cols.length === 0 || rows.length === 0) continue;
    if (filter.failing && !rows.some((r) => cols.some((c) => ext.rows[r][c].state === "failed"))) continue;
    out.push({ ext, rows, cols });
  }
  return out;
}
function views(model) {
  return [
    { dir: "", title: "All extensions", filter: {} },
    ...model.majors.map((pg) => ({ dir: `pg${pg}/`, title: `Postgres ${pg}`, filter: { pg } })),
    ...model.columns.filter((c) => c.id !== ANY).map((c) => ({ dir: `on/${c.id}/`, title: `On ${c.label}`, filter: { column: c.id } })),
    { dir: "failing/", title: "Failing builds", filter: { failing: true } }
  ];
}
function chunk(items, size) {
  const groups = /* @__PURE__ */ new Map();
  for (const s of items) {
    const c = s.ext.name.charAt(0).toLowerCase();
    const letter = c >= "a" && c <= "z" ? c : "#";
    let group = groups.get(letter);
    if (!group) groups.set(letter, group = []);
    group.push(s);
  }
  const idOf = (letter) => letter === "#" ? "other" : letter;
  const out = [];
  let open;
  const close = () => {
    if (!open) return;
    const single = open.first === open.last;
    out.push({
      id: single ? idOf(open.first) : `${idOf(open.first)}-${idOf(open.last)}`,
      letters: single ? open.first : `${open.first}\u2013${open.last}`,
      part: 1,
      parts: 1,
      label: single ? open.first : `${open.first}\u2013${open.last}`,
      items: open.items
    });
    open = void 0;
  };
  for (const [letter, list] of [...groups].sort(([a], [b]) => a === "#" ? -1 : b === "#" ? 1 : a < b ? -1 : 1)) {
    if (list.length > size) {
      close();
      const parts = Math.ceil(list.length / size);
      const per = Math.ceil(list.length / parts);
      const split = Array.from({ length: parts }, (_, k) => list.slice(k * per, (k + 1) * per));
      split.forEach((part, k) => {
        const label = k === 0 ? letter : guide(part[0].ext.name, split[k - 1].at(-1).ext.name);
        out.push({ id: `${idOf(letter)}-${k + 1}`, letters: letter, part: k + 1, parts, label, items: part });
      });
      continue;
    }
    if (open && open.items.length + list.length > size) close();
    if (open) {
      open.last = letter;
      open.items = [...open.items, ...list];
    } else {
      open = { first: letter, last: letter, items: list };
    }
  }
  close();
  return out.map((c, i) => ({ ...c, file: i === 0 ? "index.html" : `${c.id}.html` }));
}
function guide(name, neighbour) {
  const a = name.toLowerCase();
  const b = neighbour?.toLowerCase() ?? "";
  let n = 1;
  while (n < a.length && a.slice(0, n) === b.slice(0, n)) n++;
  return name.slice(0, n);
}

// src/site/render.ts
var DEFAULT_PAGE_SIZE = 50;
function* renderSite(model, index, options = {}) {
  const size = options.pageSize ?? DEFAULT_PAGE_SIZE;
  yield { path: STYLESHEET, data: STYLE };
  yield { path: INDEX_COPY, data: options.indexBytes ?? `${JSON.stringify(index, null, 2)}
` };
  yield { path: GRID_DATA, data: JSON.stringify(gridData(model)) };
  yield { path: ".nojekyll", data: "" };
  const all = views(model).map((view) => {
    const shown = applyFilter(model, view.filter);
    return { view, chunks: chunk(shown, size), total: shown.length };
  });
  for (const current of all) {
    for (let i = 0; i < Math.max(1, current.chunks.length); i++) {
      const { path: path3, html } = gridPage(model, all, current, i, options);
      yield { path: path3, data: html };
    }
  }
  for (const ext of model.extensions) {
    const pages = extensionArtifactPages(ext);
    const paths = new Map(pages.map((p) => [p.entry.key, p.path]));
    const { path: path3, html } = extensionPage(model, ext, options, paths);
    yield { path: path3, data: html };
    for (const p of pages) yield { path: p.path, data: artifactPage(model, p, options, paths) };
  }
}

// src/site/write.ts
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
var MARKER = ".trunkfarm-site";
var CONCURRENCY = 32;
async function writeSite(out, files) {
  const target = path.resolve(out);
  await checkReplaceable(target, out);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(path.join(parent, `.${path.basename(target)}.tmp-`));
  await chmod(tmp, 493);
  try {
    const result = await writeAll(tmp, files);
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify({ files: result.files, bytes: result.bytes })}
`);
    await swap(tmp, target);
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
async function checkReplaceable(target, shown) {
  let info;
  try {
    info = await stat(target);
  } catch {
    return;
  }
  if (!info.isDirectory()) throw new UserError(`--out ${shown} exists and is not a directory`);
  const names = await readdir(target);
  if (names.length > 0 && !names.includes(MARKER)) {
    throw new UserError(`--out ${shown} is a directory with other content (no ${MARKER} file): give a new or empty directory, or the one a previous \`trunkfarm site\` wrote`);
  }
}
async function writeAll(dir, files) {
  const made = /* @__PURE__ */ new Set();
  const inFlight = /* @__PURE__ */ new Set();
  const result = { files: 0, bytes: 0 };
  try {
    for (const file of files) {
      const full = path.join(dir, ...file.path.split("/"));
      if (!full.startsWith(dir + path.sep)) throw new Error(`site file path escapes the site: ${file.path}`);
      const parent = path.dirname(full);
      if (!made.has(parent)) {
        await mkdir(parent, { recursive: true });
        made.add(parent);
      }
      const data = typeof file.data === "string" ? Buffer.from(file.data) : file.data;
      result.files++;
      result.bytes += data.length;
      const p = writeFile(full, data).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (err) {
    await Promise.allSettled(inFlight);
    throw err;
  }
  return result;
}
async function swap(tmp, target) {
  if (!existsSync(target)) {
    await rename(tmp, target);
    return;
  }
  const old = `${tmp}-old`;
  await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(old, target);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

// src/site/index.ts
function defaultMatrixDir(cwd = process.cwd()) {
  const dir = path2.join(cwd, "matrix");
  return existsSync2(path2.join(dir, "platforms.yaml")) ? "matrix" : void 0;
}
function checkSiteOptions(options) {
  const out = {};
  if (options.baseUrl !== void 0) {
    let url;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new UserError(`--base-url: "${options.baseUrl}" is not a URL`, { exitCode: 2 });
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new UserError(`--base-url must be an http(s) URL, got "${options.baseUrl}"`, { exitCode: 2 });
    out.baseUrl = url.href.endsWith("/") ? url.href : `${url.href}/`;
  }
  if (options.registry !== void 0) {
    if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/.test(options.registry)) {
      throw new UserError(`--registry must be HOST[:PORT]/NAMESPACE (e.g. ghcr.io/acme), got "${options.registry}"`, { exitCode: 2 });
    }
    out.registry = options.registry;
  }
  return out;
}
async function buildSite(options) {
  const siteOptions = checkSiteOptions(options);
  const { index, bytes } = await readIndex(options.index);
  const matrix = typeof options.matrix === "string" ? await loadValidMatrix(options.matrix) : options.matrix;
  const model = buildModel(index, matrix);
  const written = await writeSite(
    options.out,
    renderSite(model, index, { ...siteOptions, indexBytes: bytes, ...options.pageSize ? { pageSize: options.pageSize } : {} })
  );
  return {
    out: options.out,
    ...written,
    extensions: model.extensions.length,
    entries: model.entries,
    withMatrix: model.withMatrix,
    counts: model.counts
  };
}

// src/cli/run/site.ts
async function run(opts) {
  const matrix = opts.matrix ?? defaultMatrixDir();
  const summary = await buildSite({
    index: opts.index,
    out: opts.out,
    ...matrix ? { matrix } : {},
    ...opts.baseUrl ? { baseUrl: opts.baseUrl } : {},
    ...opts.registry ? { registry: opts.registry } : {}
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary)}
`);
    return;
  }
  const cells = CELL_STATES.map((s) => `${summary.counts[s]} ${s}`).join(", ");
  process.stdout.write(
    `wrote ${summary.out}: ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB; ${summary.extensions} extensions, ${summary.entries} builds; cells: ${cells}${summary.withMatrix ? "" : " (no matrix: excluded and stale not known)"}
`
  );
}
export {
  run
};
