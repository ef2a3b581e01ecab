/**
 * Summarize V8 CPU profiles written by the bench's Herald processes
 * (BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir={dir}" BENCH_KEEP=1 npm run bench -- --only=e2e):
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [--top=25] [--match=regex]
 * Prints self time by area (Herald code by directory, each npm package, Node internals, GC),
 * then the functions with the most self and inclusive time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top=25] [--match=regex]\n');
  process.exit(2);
}
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const match = args.find((a) => a.startsWith('--match='))?.slice(8);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(src\/[^/]+|adapters\/[^/]+|workers|bench|dist)\//.exec(url);
  return own ? own[1]! : url;
}
const keyOf = (n: ProfileNode) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|src|adapters|workers)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const selfByArea = new Map<string, number>();
const selfByFn = new Map<string, number>();
const inclByFn = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const n = byId.get(id);
  if (!n) return;
  if (n.callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  total += dt;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  selfByArea.set(a, (selfByArea.get(a) ?? 0) + dt);
  selfByFn.set(keyOf(n), (selfByFn.get(keyOf(n)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(byId.get(cur)!);
    if (!seen.has(k)) {
      seen.add(k);
      inclByFn.set(k, (inclByFn.get(k) ?? 0) + dt);
    }
  }
});

const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, n: number, filter?: (k: string) => boolean) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].filter(([k]) => !filter || filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`${ms(v)} ${pct(v)}  ${k}\n`);
  }
};

process.stdout.write(`${file}\nbusy ${ms(total)}, idle ${ms(idle)}\n`);
print('self time by area', selfByArea, 30);
print('self time by function', selfByFn, top);
const re = match ? new RegExp(match) : /(^| )(src|adapters|workers)\//;
print(`inclusive time, functions matching ${re}`, inclByFn, top, (k) => re.test(k));
