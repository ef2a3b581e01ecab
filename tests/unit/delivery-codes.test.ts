/** Closed delivery error codes (src/platform/codes.ts): one table per adapter, listed by GET /openapi.json. */
import { describe, expect, it } from 'vitest';
import { xErrors } from '../../adapters/x/codes.ts';
import { adapterErrors, DELIVERY_CODES } from '../../src/platform/codes.ts';
import { REGISTRY } from '../../adapters/registry.ts';
import { adapterMap } from '../../src/platform/registry.ts';

describe('delivery error codes', () => {
  it("an adapter's factories accept only its own codes and the kit's (type error, and a runtime check)", () => {
    expect(xErrors.rejected({ code: 'x.duplicate_content', message: 'dup' })).toMatchObject({ kind: 'rejected', code: 'x.duplicate_content' });
    expect(xErrors.transient({ code: 'x.network', message: 'down' }).code).toBe('x.network');
    // @ts-expect-error: not in the X code table
    expect(() => xErrors.rejected({ code: 'x.made_up', message: 'm' })).toThrow(/undocumented x delivery error code "x.made_up"/);
    // @ts-expect-error: another platform's code
    expect(() => xErrors.rejected({ code: 'linkedin.duplicate_post', message: 'm' })).toThrow(/undocumented/);
    // Documented, but not with this kind.
    expect(() => xErrors.transient({ code: 'x.duplicate_content', message: 'm' })).toThrow(/kind transient/);
  });

  it('codes are lower_snake and carry their platform prefix', () => {
    // @ts-expect-error: an own code must start with the platform
    expect(() => adapterErrors('x', { 'y.thing': { kind: 'rejected', meaning: 'm' } })).toThrow(/not x\.<lower_snake>/);
    expect(() => adapterErrors('x', { 'x.camelCase': { kind: 'rejected', meaning: 'm' } })).toThrow(/not x\.<lower_snake>/);
    for (const adapter of adapterMap(REGISTRY).values()) {
      for (const [code, info] of Object.entries(adapter.codes)) {
        expect(code).toMatch(new RegExp(`^${adapter.manifest.platform}\\.[a-z0-9]+(_[a-z0-9]+)*$`));
        expect(info.meaning.length).toBeGreaterThan(10);
      }
    }
    for (const code of Object.keys(DELIVERY_CODES)) expect(code).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
  });
});
