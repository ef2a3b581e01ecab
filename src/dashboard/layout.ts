/**
 * The page frame every dashboard page shares: navigation, a notice or error line, and a
 * small stylesheet. No build step and no external assets.
 */
import { html, raw, type Html } from './html.ts';

const CSS = raw(`
:root { color-scheme: light; --fg:#1d2330; --muted:#5c6577; --line:#dde1e8; --bg:#f6f7f9; --accent:#2451b3; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:center; gap:20px; padding:10px 24px; background:#1d2330; color:#fff; }
header strong { font-size:16px; margin-right:12px; }
header a { color:#cfd8ea; text-decoration:none; padding:4px 2px; }
header a.on, header a:hover { color:#fff; border-bottom:2px solid #8fb0ff; }
header form { margin-left:auto; }
header button { background:transparent; color:#cfd8ea; border:1px solid #56607a; border-radius:4px; padding:4px 10px; cursor:pointer; }
main { padding:20px 24px; max-width:1300px; }
h1 { font-size:20px; margin:0 0 14px; }
h2 { font-size:16px; margin:22px 0 8px; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f5; font-weight:600; font-size:13px; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12.5px; }
a { color:var(--accent); }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; background:#e6e9ef; }
.s-published { background:#d7f2df; color:#14532d; } .s-failed { background:#fbdada; color:#7f1d1d; }
.s-unknown { background:#fde9c8; color:#7c3f00; } .s-retrying, .s-processing, .s-publishing { background:#dbe7ff; color:#1e3a8a; }
.s-awaiting_action { background:#efe1fb; color:#5b21b6; } .s-canceled { background:#eee; color:#555; }
.notice, .error { padding:8px 12px; border-radius:4px; margin-bottom:14px; }
.notice { background:#d7f2df; border:1px solid #9bd4ad; } .error { background:#fbdada; border:1px solid #eba3a3; }
form.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:end; margin-bottom:14px; }
label { display:flex; flex-direction:column; gap:3px; font-size:12px; color:var(--muted); }
input, select, textarea { font:inherit; padding:5px 7px; border:1px solid #c5cbd6; border-radius:4px; background:#fff; color:var(--fg); }
textarea { min-width:340px; min-height:54px; }
label.check { flex-direction:row; align-items:center; gap:6px; color:var(--fg); font-size:13px; }
button.primary { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:6px 14px; font:inherit; cursor:pointer; }
button.danger { background:#a32020; }
.panel { background:#fff; border:1px solid var(--line); border-radius:6px; padding:14px 16px; margin:14px 0; }
.panel h2 { margin-top:0; }
td.when { white-space:nowrap; }
.panel form { display:flex; flex-wrap:wrap; gap:12px; align-items:end; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; }
.pager { margin-top:10px; }
`);

export type Section = 'deliveries' | 'platforms' | 'audit' | 'login';

export interface Frame {
  title: string;
  section: Section;
  /** Present when logged in: shows the navigation and the logout button. */
  csrf?: string;
  notice?: string;
  error?: string;
}

const NAV: [Section, string, string][] = [
  ['deliveries', 'Deliveries', '/admin/deliveries'],
  ['platforms', 'Platforms', '/admin/platforms'],
  ['audit', 'Audit log', '/admin/audit'],
];

export function page(f: Frame, body: Html): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${f.title} · Herald admin</title><style>${CSS}</style></head>
<body>
<header><strong>Herald admin</strong>
${f.csrf ? html`${NAV.map(([s, label, href]) => html`<a href="${href}" class="${s === f.section ? 'on' : ''}">${label}</a>`)}
<a href="/admin/queues">Queues (bull-board)</a>
<form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="${f.csrf}"><button type="submit">Log out</button></form>` : ''}
</header>
<main>
${f.notice ? html`<div class="notice" role="status">${f.notice}</div>` : ''}
${f.error ? html`<div class="error" role="alert">${f.error}</div>` : ''}
${body}
</main></body></html>`.value;
}

export function badge(status: string): Html {
  return html`<span class="badge s-${status}">${status}</span>`;
}

/** "2026-12-04 17:40:01 UTC" from an ISO timestamp. */
export function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '';
}

/** A hidden CSRF field for a state-changing form. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
