/**
 * The OpenAPI document is what creators' SDKs are generated from: every operation named and
 * summarised, its 4xx answers documented, each platform's options published, servers from
 * PUBLIC_URL. (Redocly's recommended rules run over the same document in `npm run lint:openapi`.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../adapters/registry.ts';
import { platformOf } from '../../src/platform/registry.ts';
import { startTestHerald, type TestHerald } from '../helpers/herald.ts';

type Doc = { servers: { url: string }[]; paths: Record<string, Record<string, { operationId?: string; summary?: string; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

let h: TestHerald;
let doc: Doc;
beforeAll(async () => {
  h = await startTestHerald({ env: { PUBLIC_URL: 'https://herald.test' } });
  doc = (await h.api!.inject({ method: 'GET', url: '/openapi.json' })).json();
  if (process.env.OPENAPI_OUT) {
    mkdirSync(dirname(process.env.OPENAPI_OUT), { recursive: true });
    writeFileSync(process.env.OPENAPI_OUT, JSON.stringify(doc, null, 2));
  }
});
afterAll(async () => {
  await h.stop();
});

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })));

describe('GET /openapi.json', () => {
  it('names and summarises every operation, each operationId once', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(30);
    for (const { at, op } of ops) {
      expect(op.operationId, at).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary, at).toBeTruthy();
    }
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the 4xx answers of every operation in the error envelope', () => {
    for (const { at, op } of operations()) {
      const fourxx = Object.keys(op.responses).filter((s) => /^4\d\d$/.test(s));
      expect(fourxx.length, at).toBeGreaterThan(0);
    }
    const create = doc.paths['/v1/posts']!.post!;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '409', '413', '415', '422']));
    expect(Object.keys(doc.paths['/v1/posts/{id}']!.get!.responses)).toContain('404');
  });

  it('publishes each platform\'s options schema instead of a free-form object', () => {
    for (const m of REGISTRY) {
      const name = `${platformOf(m)[0]!.toUpperCase()}${platformOf(m).slice(1)}Options`;
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    const body = JSON.stringify(doc.paths['/v1/posts']!.post);
    expect(body).toContain('#/components/schemas/YoutubeOptions');
    expect(JSON.stringify(doc.components.schemas.YoutubeOptions)).toContain('"title"');
  });

  it('sets servers from PUBLIC_URL', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'https://herald.test' })]);
  });
});
