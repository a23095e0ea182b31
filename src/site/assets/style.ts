// The one stylesheet. No framework: a few rules, system fonts, colours chosen for at least 7:1
// contrast on the state backgrounds (the state is also written out, never colour alone). Grid cards
// off screen skip layout and paint (content-visibility) until scrolled to: a page of fifty grids
// renders like a page of six.
export const STYLE = `*,*::before,*::after{box-sizing:border-box}
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
