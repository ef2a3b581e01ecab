/** Login, platforms (queues, pause and resume) and the audit log. */
import type { PlatformOverview } from '../api/admin-service.ts';
import type { AuditEntry } from '../store/audit.ts';
import { auditTable } from './delivery-pages.ts';
import { html, query, type Html } from './html.ts';
import { csrfField, when } from './layout.ts';

export function loginPage(next: string): Html {
  return html`<h1>Log in</h1>
<div class="panel"><form method="post" action="/admin/login">
  <input type="hidden" name="next" value="${next}">
  <label>Admin key<input name="key" type="password" required autocomplete="current-password" size="48" autofocus></label>
  <button class="primary" type="submit">Log in</button>
</form>
<p class="muted">The admin key is ADMIN_API_KEY (sandbox mode prints it at start). The session lasts 12 hours or until you log out.</p></div>`;
}

const STATES = ['waiting', 'delayed', 'active', 'prioritized'] as const;

export function platformsPage(o: { platforms: Record<string, PlatformOverview>; deliveries: Record<string, number>; csrf: string }): Html {
  return html`<h1>Platforms</h1>
<table><thead><tr><th>Platform</th><th>Queue</th>${STATES.map((s) => html`<th>${s}</th>`)}<th>Rate-limit block</th><th>Pause or resume</th></tr></thead><tbody>
${Object.entries(o.platforms).map(([p, q]) => html`<tr>
  <td><strong>${p}</strong></td>
  <td>${q.paused ? html`<span class="badge s-failed">paused</span>${q.pausedReason ? html`<div class="muted">${q.pausedReason}</div>` : ''}` : html`<span class="badge s-published">running</span>`}</td>
  ${STATES.map((s) => html`<td class="num">${q.counts[s] ?? 0}</td>`)}
  <td>${q.blockedUntil ? `until ${when(q.blockedUntil)}` : html`<span class="muted">none</span>`}</td>
  <td><form method="post" action="/admin/platforms/${p}/${q.paused ? 'resume' : 'pause'}" style="display:flex;gap:6px;align-items:end">${csrfField(o.csrf)}
    <label>Reason (audited)<input name="reason" minlength="3" maxlength="1000" size="22" ${q.paused ? '' : html`required`}></label>
    <button class="primary ${q.paused ? '' : 'danger'}" type="submit">${q.paused ? 'Resume' : 'Pause'} ${p}</button></form></td>
</tr>`)}
</tbody></table>
<p class="muted">Jobs by state come from BullMQ; <a href="/admin/queues">the queue view (bull-board)</a> shows each job. It is read-only: retries, resolves and pauses go through these pages so they are audited.</p>
<h2>Deliveries by status (all creators)</h2>
<table style="width:auto"><tbody>${Object.entries(o.deliveries).map(([s, n]) => html`<tr><td><a href="/admin/deliveries${query({ status: s })}">${s}</a></td><td class="num">${n}</td></tr>`)}</tbody></table>`;
}

export function auditPage(o: { entries: AuditEntry[]; next?: string; action?: string; target?: string }): Html {
  return html`<h1>Audit log</h1>
<form class="filters" method="get" action="/admin/audit">
  <label>Action<input name="action" value="${o.action ?? ''}" placeholder="e.g. delivery.retry" size="20"></label>
  <label>Target<input name="target" value="${o.target ?? ''}" placeholder="dlv_…, acc_…, x" size="28"></label>
  <button class="primary" type="submit">Filter</button> <a href="/admin/audit">clear</a>
</form>
${auditTable(o.entries)}
${o.next ? html`<p class="pager"><a href="/admin/audit${query({ action: o.action, target: o.target, cursor: o.next })}">Older entries →</a></p>` : ''}`;
}
