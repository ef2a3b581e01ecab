/**
 * How an adapter is declared: its manifest (with the `options` schema), its `progress`
 * schema and its functions, once. The worker parses both schemas before it calls the
 * adapter (workers/publish-context.ts), so `input.options` and `ctx.progress` arrive typed
 * and valid; accept-time validation (src/domain/validate.ts) uses the same `options` schema
 * through `optionIssues`, so the messages a schema carries reach the API's 422 details.
 */
import type { z } from 'zod';
import type { PlatformAdapter, PlatformManifest, ValidationIssue } from './port.ts';

export interface AdapterDefinition<O extends z.ZodType, P extends z.ZodType>
  extends PlatformAdapter<z.infer<O>, z.infer<P>> {
  manifest: PlatformManifest<O>;
  progress: P;
}

/** Types `validate`, `publish` and `lookup` from the two schemas; returns the adapter the worker runs. */
export function defineAdapter<O extends z.ZodType, P extends z.ZodType>(def: AdapterDefinition<O, P>): PlatformAdapter {
  if (!def.progress.safeParse({}).success) {
    throw new Error(`${def.manifest.platform}: the progress schema must accept {} (the first attempt has no progress)`);
  }
  return def as PlatformAdapter;
}

/** `options` checked against the adapter's schema: one issue per schema issue, its message from the schema. */
export function optionIssues(
  schema: z.ZodType, raw: unknown,
): { ok: true; options: unknown; issues: [] } | { ok: false; issues: ValidationIssue[] } {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, options: parsed.data, issues: [] };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ field: ['options', ...i.path.map(String)].join('.'), code: 'invalid_option', message: i.message })),
  };
}

/**
 * Everything an adapter says about one target at accept time: schema issues first, then
 * the adapter's own rules (given the parsed options) when the schema accepted them.
 */
export function targetIssues(adapter: PlatformAdapter, target: { text: string; media: { index: number }[]; options: unknown }): ValidationIssue[] {
  const checked = optionIssues(adapter.manifest.options, target.options);
  if (!checked.ok) return checked.issues;
  return adapter.validate?.({ text: target.text, media: target.media, options: checked.options }) ?? [];
}
