/**
 * A LinkedIn-Version LinkedIn no longer serves (426) is Herald's configuration, not the
 * creator's post: LinkedIn pauses with an operator-facing reason, deliveries wait without
 * spending attempts, and GET /v1/admin/queues shows the version and its sunset (issue 9 item 3).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLinkedInSimulator } from '../../adapters/linkedin/simulator.ts';
import { ADMIN_KEY, bearer, startTestHerald, type TestHerald } from '../helpers/herald.ts';

let h: TestHerald | undefined;
let li: ReturnType<typeof createLinkedInSimulator> | undefined;
afterEach(async () => {
  await h?.stop();
  await li?.server.stop();
  h = undefined;
  li = undefined;
});

describe('LinkedIn API version', () => {
  it('a sunset LINKEDIN_API_VERSION pauses LinkedIn with the reason; the post waits instead of failing', async () => {
    li = createLinkedInSimulator();
    h = await startTestHerald({ worker: true, env: { LINKEDIN_API_VERSION: '202401' }, platformUrls: { linkedin: await li.server.start() } });
    const creator = await h.creator('version');
    const demo = li.createDemoAccount();
    const acc = await h.api!.inject({ method: 'POST', url: '/v1/accounts', headers: bearer(creator.key), payload: { platform: 'linkedin', externalId: demo.externalId, handle: demo.handle, credentials: demo.credentials } });
    expect(acc.statusCode, acc.body).toBeLessThan(300);
    const res = await h.api!.inject({ method: 'POST', url: '/v1/posts', headers: bearer(creator.key), payload: { text: 'after the sunset', targets: [{ accountId: acc.json().id }] } });
    expect(res.statusCode, res.body).toBe(202);
    const waiting = await h.waitFor(res.json().deliveries[0].id, (d) => d.status === 'retrying' && d.error?.code === 'linkedin.version_retired');
    expect(waiting.attempts).toBe(0);
    expect(waiting.error?.message).toMatch(/upgrade LINKEDIN_API_VERSION/);

    const queues = (await h.api!.inject({ method: 'GET', url: '/v1/admin/queues', headers: bearer(ADMIN_KEY) })).json();
    expect(queues.platforms.linkedin.paused).toBe(true);
    expect(queues.platforms.linkedin.pausedReason).toMatch(/202401.*upgrade LINKEDIN_API_VERSION/);
    expect(queues.platforms.linkedin.config).toMatchObject({ apiVersion: '202401', apiVersionSource: 'LINKEDIN_API_VERSION' });
    expect(queues.platforms.linkedin.config.apiVersionSunset).toMatch(/^2025-01-15/);
    expect(queues.platforms.linkedin.configWarnings.join()).toMatch(/was sunset/);
    expect(li.state.posts).toHaveLength(0);
  });
});
