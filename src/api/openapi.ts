/**
 * The OpenAPI document SDKs are generated from (`GET /openapi.json`, `/docs`): every
 * operation has an operationId and a summary, documents the 4xx answers it can give in the
 * one error envelope, the target `options` are each platform's own schema (from its
 * adapter's manifest) instead of a free-form object, and `servers` is PUBLIC_URL.
 * `npm run lint:openapi` runs Redocly's recommended rules over it (.ci/run).
 */
import type { SwaggerTransformObject } from '@fastify/swagger';
import { z } from 'zod';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { PlatformAdapter, PlatformName } from '../platform/port.ts';
import { API_ERRORS, type ApiErrorCode } from './errors.ts';
import { OPERATIONS } from './operations.ts';

type JsonSchema = Record<string, unknown>;
type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

const errorEnvelope: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'A stable code from x-error-codes.' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        details: { type: 'array', items: {}, description: 'One entry per field or rule, when the error has several.' },
      },
    },
  },
};

/** The error codes an operation can answer with, from its route's shape and its OPERATIONS row. */
function errorCodes(route: TransformInput['route'], url: string, extra: readonly ApiErrorCode[]): ApiErrorCode[] {
  const codes = new Set<ApiErrorCode>(['request_timeout', 'headers_too_large']);
  const auth = (route.config as { auth?: string } | undefined)?.auth ?? 'creator';
  if (auth !== 'none') codes.add('unauthorized');
  if (auth === 'admin') codes.add('admin_only');
  if (auth === 'creator') codes.add('creator_only');
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.body || schema.querystring || schema.params || schema.headers) codes.add('invalid_request');
  if (schema.body) for (const c of ['invalid_json', 'payload_too_large', 'unsupported_media_type'] as const) codes.add(c);
  if (url.includes(':')) {
    codes.add('not_found');
    codes.add('uri_too_long');
  }
  for (const c of extra) codes.add(c);
  return [...codes];
}

/** `jsonSchemaTransform` plus the operationId, summary and documented 4xx answers of each route. */
export function operationTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  // A route without a schema is not part of the API (the /admin dashboard's HTML pages).
  if (!input.route.schema) return { schema: { hide: true }, url: input.url };
  const out = jsonSchemaTransform(input);
  if ((out.schema as { hide?: boolean }).hide) return out;
  const method = [input.route.method].flat()[0]!.toUpperCase();
  const key = `${method} ${input.url}`;
  const op = OPERATIONS[key];
  if (!op) throw new Error(`${key} has no row in src/api/operations.ts (operationId, summary)`);
  const response = { ...((out.schema as { response?: Record<string, unknown> }).response ?? {}) };
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of errorCodes(input.route, input.url, op.errors ?? [])) {
    const status = API_ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    if (response[status] !== undefined) continue;
    response[status] = { ...errorEnvelope, description: codes.map((c) => `\`${c}\`: ${API_ERRORS[c].meaning}`).join(' ') };
  }
  if (op.ok && !Object.keys(response).some((s) => s.startsWith('2'))) response[200] = { description: op.ok };
  const schema = input.schema as { summary?: string };
  return { ...out, schema: { ...out.schema, operationId: op.operationId, summary: schema.summary ?? op.summary, response } };
}

const componentName = (p: PlatformName) => `${p.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}Options`;

/** A free-form object schema (`z.record(z.string(), z.unknown())`), the placeholder `options` had. */
function isFreeForm(s: unknown): boolean {
  const o = s as JsonSchema | undefined;
  return !!o && o.type === 'object' && !o.properties && (o.additionalProperties === undefined || typeof o.additionalProperties === 'object');
}

/** Replaces every free-form `options` property in the document with the platforms' own schemas. */
function publishOptions(node: unknown, ref: JsonSchema): void {
  if (Array.isArray(node)) {
    for (const n of node) publishOptions(n, ref);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as JsonSchema;
  const props = o.properties as JsonSchema | undefined;
  if (props && isFreeForm(props.options)) props.options = ref;
  for (const v of Object.values(o)) publishOptions(v, ref);
}

/** Adds servers, the platforms' options schemas and the error table to the generated document. */
export function documentTransform(adapters: ReadonlyMap<PlatformName, PlatformAdapter>, publicUrl: () => string): SwaggerTransformObject {
  return (doc) => {
    if (!('openapiObject' in doc)) return doc.swaggerObject;
    const openapiObject = doc.openapiObject as JsonSchema;
    const schemas: Record<string, JsonSchema> = {};
    for (const [platform, adapter] of adapters) {
      const json = z.toJSONSchema(adapter.manifest.options, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
      delete json.$schema;
      schemas[componentName(platform)] = { ...json, description: `${adapter.manifest.displayName} options (targets on a ${platform} account).` };
    }
    const ref: JsonSchema = {
      description: 'Options of the target account\'s platform; see each platform\'s schema.',
      anyOf: Object.keys(schemas).map((name) => ({ $ref: `#/components/schemas/${name}` })),
    };
    publishOptions(openapiObject.paths, ref);
    const components = (openapiObject.components ?? {}) as JsonSchema;
    return {
      ...openapiObject,
      servers: [{ url: publicUrl(), description: 'This Herald (PUBLIC_URL)' }],
      components: { ...components, schemas: { ...(components.schemas as JsonSchema | undefined), ...schemas } },
    } as typeof doc.openapiObject;
  };
}
