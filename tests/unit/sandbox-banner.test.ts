import { expect, it } from 'vitest';
import { sandboxBanner } from '../../src/sandbox/sandbox.ts';

it('the sandbox banner names the dashboard and metrics URLs next to the admin key', () => {
  const banner = sandboxBanner('http://127.0.0.1:3000', {
    creatorId: 'crt_1', creatorApiKey: 'hk_creator', adminApiKey: 'hk_admin', accounts: [{ id: 'acc_1', platform: 'x', handle: 'demo' }],
  });
  expect(banner).toMatch(/^ {2}Dashboard {4}http:\/\/127\.0\.0\.1:3000\/admin\b/m);
  expect(banner).toMatch(/^ {2}Metrics {6}http:\/\/127\.0\.0\.1:3000\/metrics$/m);
  expect(banner).toMatch(/^ {2}Admin key {4}hk_admin$/m);
});
