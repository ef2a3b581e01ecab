/** Result rows: the printed table and bench/results.json. */
import { writeFileSync } from 'node:fs';
import { fmt } from './stats.ts';

export interface Target {
  /** `ratio` compares the ratio column; `figure` compares the figure itself. */
  on: 'ratio' | 'figure';
  op: '>=' | '<=' | '<';
  value: number;
  /** How the target is shown, e.g. "≥ 0.5" or "< 250 ms". */
  label: string;
}

export interface Row {
  scenario: string;
  figure: number;
  unit: string;
  limit?: { name: string; value: number; unit: string };
  ratio?: number;
  target?: Target;
  /** true / false when there is a target; null without one; 'error' when the scenario failed. */
  pass: boolean | null | 'error';
  note: string;
  /** Extra facts for results.json only (not printed). */
  details?: Record<string, unknown>;
}

export function row(r: Omit<Row, 'pass' | 'ratio'> & { ratio?: number }): Row {
  const ratio = r.ratio ?? (r.limit && r.limit.value > 0 ? r.figure / r.limit.value : undefined);
  let pass: boolean | null = null;
  if (r.target) {
    const v = r.target.on === 'ratio' ? ratio : r.figure;
    // No limit measured (e.g. --only without limits): no verdict rather than a false failure.
    pass = v === undefined ? null : Number.isFinite(v)
      && (r.target.op === '>=' ? v >= r.target.value : r.target.op === '<=' ? v <= r.target.value : v < r.target.value);
  }
  return { ...r, ...(ratio !== undefined ? { ratio } : {}), pass };
}

export function errorRow(scenario: string, err: unknown): Row {
  const msg = ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 200);
  return { scenario, figure: NaN, unit: '', pass: 'error', note: `ERROR: ${msg}` };
}

const passText = (p: Row['pass']) => (p === true ? 'PASS' : p === false ? 'FAIL' : p === 'error' ? 'ERROR' : '—');

export function tableLines(rows: Row[]): string[] {
  const head = ['scenario', 'figure', 'limit', 'ratio', 'target', 'result', 'note'];
  const cells = rows.map((r) => [
    r.scenario,
    Number.isFinite(r.figure) ? `${fmt(r.figure)} ${r.unit}`.trim() : '—',
    r.limit ? `${fmt(r.limit.value)} ${r.limit.unit} (${r.limit.name})` : '—',
    r.ratio !== undefined ? r.ratio.toFixed(2) : '—',
    r.target?.label ?? '—',
    passText(r.pass),
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (i === 6 ? 0 : c[i]!.length))));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 6 ? x : x.padEnd(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => '-'.repeat(i === 6 ? 6 : w + 2)).join('|')}|`, ...cells.map(line)];
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  redis: string;
  platform: string;
  date: string;
  quick: boolean;
  commit: string;
  /** 1/5/15-minute load averages before the run started (another job on the machine skews every figure). */
  loadAtStart: number[];
  /** BENCH_REDIS_CONFIG / BENCH_NODE_FLAGS when set: such a run is not a default run. */
  overrides: Record<string, string>;
  /** bin/herald.mjs runs the bundle or the sources through tsx. */
  heraldRuntime: string;
}

export function writeResults(file: string, data: {
  machine: Machine; rows: Row[]; durations: Record<string, number>; foreignCpu: Record<string, { cpuSeconds: number; shareOfOneCpu: number }>; totalSeconds: number;
}): void {
  const rows = data.rows.map((r) => ({
    scenario: r.scenario,
    figure: Number.isFinite(r.figure) ? r.figure : null,
    unit: r.unit,
    limit: r.limit ?? null,
    ratio: r.ratio ?? null,
    target: r.target?.label ?? null,
    pass: r.pass,
    note: r.note,
    ...(r.details ? { details: r.details } : {}),
  }));
  writeFileSync(file, `${JSON.stringify({ ...data, rows }, null, 2)}\n`);
}

/** Run one measurement; an exception becomes an ERROR row instead of ending the scenario. */
export async function attempt(scenario: string, fn: () => Promise<Row | Row[]>): Promise<Row[]> {
  try {
    const r = await fn();
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    process.stderr.write(`bench: ${scenario} failed: ${(err as Error).stack ?? String(err)}\n`);
    return [errorRow(scenario, err)];
  }
}
