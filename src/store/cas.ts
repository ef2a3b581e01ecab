/**
 * Compare-and-set for JSON records whose first field is the version ("{"v":N,...}"),
 * plus index updates applied in the same atomic step. Record logic stays in TypeScript;
 * Redis only checks the version and applies the writes.
 */
import type { Redis, Result } from 'ioredis';

const SCRIPT = `
local cur = redis.call('GET', KEYS[1])
local exp = ARGV[1]
if exp == '' then
  if cur then return 0 end
elseif exp ~= '*' then
  if not cur then return -1 end
  local v = string.match(cur, '^{"v":(%d+)')
  if v ~= exp then return 0 end
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2]) end
local ops = cjson.decode(ARGV[3])
for _, op in ipairs(ops) do
  local args = {}
  for i = 3, #op do args[#args + 1] = op[i] end
  redis.call(op[1], KEYS[op[2]], unpack(args))
end
return 1
`;

/** An index write: command, key, then arguments, e.g. ['ZADD', key, score, member]. */
export type IndexOp = [cmd: 'ZADD' | 'ZREM' | 'HINCRBY' | 'DEL' | 'RPUSH' | 'SET', key: string, ...args: (string | number)[]];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    heraldCas(numKeys: number, ...args: (string | number)[]): Result<number, Context>;
  }
}

export function defineCas(redis: Redis): void {
  if (!(redis as unknown as { heraldCas?: unknown }).heraldCas) redis.defineCommand('heraldCas', { lua: SCRIPT });
}

/** 1 = written, 0 = version conflict (or exists, for expected ''), -1 = missing. */
export async function cas(redis: Redis, key: string, expected: number | '' | '*', json: string, ops: IndexOp[]): Promise<number> {
  const extraKeys: string[] = [];
  const encoded = ops.map(([cmd, k, ...args]) => {
    let idx = extraKeys.indexOf(k);
    if (idx < 0) idx = extraKeys.push(k) - 1;
    return [cmd, idx + 2, ...args.map(String)];
  });
  return redis.heraldCas(1 + extraKeys.length, key, ...extraKeys, String(expected), json, JSON.stringify(encoded));
}

/** JSON with `v` first, as the CAS script expects. */
export function versioned<T extends { v: number }>(record: T): string {
  const { v, ...rest } = record;
  return JSON.stringify({ v, ...rest });
}
