/** The deliveries list (with filters and bulk retry) and one delivery with its history. */
import { DELIVERY_STATUSES, type Delivery } from '../domain/delivery.ts';
import type { AuditEntry } from '../store/audit.ts';
import { html, query, type Html } from './html.ts';
import { badge, csrfField, when } from './layout.ts';

export interface ListFilter {
  status?: string;
  platform?: string;
  creatorId?: string;
  errorCode?: string;
}

/** Only http(s) URLs become links; anything else is shown as text. */
function link(url: string | undefined): Html | string {
  if (!url) return '';
  return /^https?:\/\//i.test(url) ? html`<a href="${url}" rel="noreferrer noopener" target="_blank">${url}</a>` : url;
}

function options(values: readonly string[], selected: string | undefined, all: string): Html {
  return html`<option value="">${all}</option>${values.map((v) => html`<option value="${v}" ${v === selected ? html`selected` : ''}>${v}</option>`)}`;
}

export function deliveriesPage(o: {
  filter: ListFilter; rows: Delivery[]; next?: string; platforms: string[];
  creators: { id: string; name: string }[]; csrf: string;
}): Html {
  const names = new Map(o.creators.map((c) => [c.id, c.name]));
  const f = o.filter;
  const bulk = f.status === 'failed' || f.status === 'unknown';
  return html`<h1>Deliveries</h1>
<form class="filters" method="get" action="/admin/deliveries">
  <label>Status<select name="status">${options(DELIVERY_STATUSES, f.status, 'any status')}</select></label>
  <label>Platform<select name="platform">${options(o.platforms, f.platform, 'any platform')}</select></label>
  <label>Creator<select name="creatorId"><option value="">any creator</option>${o.creators.map((c) => html`<option value="${c.id}" ${c.id === f.creatorId ? html`selected` : ''}>${c.name} (${c.id})</option>`)}</select></label>
  <label>Error code<input name="errorCode" value="${f.errorCode ?? ''}" placeholder="e.g. auth_expired" size="18"></label>
  <button class="primary" type="submit">Filter</button> <a href="/admin/deliveries">clear</a>
</form>
<table>
<thead><tr><th>Delivery</th><th>Status</th><th>Platform</th><th>Creator</th><th>Error</th><th>Attempts</th><th>Scheduled</th><th>Updated</th></tr></thead>
<tbody>
${o.rows.length === 0 ? html`<tr><td colspan="8" class="muted">No deliveries match this filter.</td></tr>` : ''}
${o.rows.map((d) => html`<tr>
  <td><a class="mono" href="/admin/deliveries/${d.id}">${d.id}</a></td><td>${badge(d.status)}</td><td>${d.platform}</td>
  <td>${names.get(d.creatorId) ?? ''} <span class="muted mono">${d.creatorId}</span></td>
  <td>${d.error ? html`<code>${d.error.code}</code> ${d.error.message}${d.error.retryable ? '' : html` <span class="muted">(not retryable)</span>`}` : ''}</td>
  <td class="num">${d.attempts}</td><td class="when">${when(d.scheduledAt)}</td><td class="when">${when(d.updatedAt)}</td>
</tr>`)}
</tbody></table>
${o.next ? html`<p class="pager"><a href="/admin/deliveries${query({ ...f, cursor: o.next })}">Next page →</a></p>` : ''}
${bulk ? html`<div class="panel"><h2>Retry every ${f.status} delivery matching this filter</h2>
<form method="post" action="/admin/retries">${csrfField(o.csrf)}
  <input type="hidden" name="status" value="${f.status}"><input type="hidden" name="platform" value="${f.platform ?? ''}">
  <input type="hidden" name="creatorId" value="${f.creatorId ?? ''}"><input type="hidden" name="errorCode" value="${f.errorCode ?? ''}">
  <label>Reason (audited)<textarea name="reason" required minlength="3" maxlength="1000"></textarea></label>
  <label class="check"><input type="checkbox" name="force" value="true"> Force (needed for unknown and non-retryable failures)</label>
  <button class="primary" type="submit">Retry all matching</button>
</form></div>` : ''}`;
}

export function deliveryPage(o: { d: Delivery; creatorName?: string; audit: AuditEntry[]; csrf: string }): Html {
  const d = o.d;
  const retryable = d.status === 'failed' || d.status === 'unknown';
  const needsForce = d.status === 'unknown' || (d.status === 'failed' && d.error?.retryable === false);
  const resolvable = d.status === 'unknown' || d.status === 'awaiting_action';
  return html`<h1>Delivery <span class="mono">${d.id}</span> ${badge(d.status)}</h1>
<div class="panel"><dl class="facts">
  <dt>Platform</dt><dd>${d.platform}</dd>
  <dt>Creator</dt><dd>${o.creatorName ?? ''} <span class="mono muted">${d.creatorId}</span></dd>
  <dt>Account</dt><dd class="mono">${d.accountId}</dd>
  <dt>Post</dt><dd class="mono">${d.postId}</dd>
  <dt>Scheduled</dt><dd>${when(d.scheduledAt)}</dd>
  <dt>Attempts</dt><dd>${d.attempts}</dd>
  ${d.nextAttemptAt ? html`<dt>Next attempt</dt><dd>${when(d.nextAttemptAt)}</dd>` : ''}
  ${d.url ? html`<dt>Published at</dt><dd>${link(d.url)}</dd>` : ''}
  ${d.platformPostId ? html`<dt>Platform post id</dt><dd class="mono">${d.platformPostId}</dd>` : ''}
  ${d.error ? html`<dt>Error</dt><dd><code>${d.error.code}</code> ${d.error.message} <span class="muted">(${d.error.retryable ? 'retryable' : 'not retryable'})</span></dd>` : ''}
  ${d.armed ? html`<dt>Armed write</dt><dd>${d.armed.label} since ${when(d.armed.at)}: the platform may have published it</dd>` : ''}
</dl></div>
${retryable ? html`<div class="panel"><h2>Retry</h2>
<form method="post" action="/admin/deliveries/${d.id}/retry">${csrfField(o.csrf)}
  <label>Reason (audited)<textarea name="reason" required minlength="3" maxlength="1000"></textarea></label>
  <label class="check"><input type="checkbox" name="force" value="true"> Force${needsForce ? html` <strong>(needed: ${d.status === 'unknown' ? 'the outcome is unknown; check the platform first or it may publish twice' : 'the failure is not retryable'})</strong>` : ''}</label>
  <button class="primary" type="submit">Retry delivery</button>
</form></div>` : ''}
${resolvable ? html`<div class="panel"><h2>Resolve: record what you verified on ${d.platform}</h2>
<form method="post" action="/admin/deliveries/${d.id}/resolve">${csrfField(o.csrf)}
  <label>Outcome<select name="outcome"><option value="published">It is published</option><option value="not_published">It is not published</option></select></label>
  <label>Post URL (when published)<input name="url" type="url" placeholder="https://…" size="40"></label>
  <label>Reason (audited)<textarea name="reason" required minlength="3" maxlength="1000"></textarea></label>
  <button class="primary" type="submit">Resolve</button>
</form></div>` : ''}
<h2>History</h2>
<table><thead><tr><th>When</th><th>Event</th><th>Status</th><th>Attempt</th><th>Code</th><th>HTTP</th><th>Message</th><th>By</th><th>Reason</th></tr></thead><tbody>
${d.history.length === 0 ? html`<tr><td colspan="9" class="muted">No history yet (scheduled).</td></tr>` : ''}
${[...d.history].reverse().map((h) => html`<tr><td class="when">${when(h.at)}</td><td>${h.event}</td><td>${badge(h.status)}</td><td class="num">${h.attempt ?? ''}</td>
<td>${h.code ? html`<code>${h.code}</code>` : ''}</td><td class="num">${h.platformStatus ?? ''}</td><td>${h.message ?? ''}</td><td>${h.actor ?? ''}</td><td>${h.reason ?? ''}</td></tr>`)}
</tbody></table>
<h2>Audit entries</h2>
${auditTable(o.audit)}`;
}

export function auditTable(entries: AuditEntry[]): Html {
  return html`<table><thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th><th>Reason</th><th>Details</th></tr></thead><tbody>
${entries.length === 0 ? html`<tr><td colspan="6" class="muted">No audit entries.</td></tr>` : ''}
${entries.map((e) => html`<tr><td class="when">${when(e.at)}</td><td>${e.actor}</td><td><code>${e.action}</code></td>
<td>${e.target?.startsWith('dlv_') ? html`<a class="mono" href="/admin/deliveries/${e.target}">${e.target}</a>` : html`<span class="mono">${e.target ?? ''}</span>`}</td>
<td>${e.reason ?? ''}</td><td>${e.details ? html`<code>${JSON.stringify(e.details)}</code>` : ''}</td></tr>`)}
</tbody></table>`;
}
