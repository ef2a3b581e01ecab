/**
 * The promoter gives scheduled deliveries their BullMQ job shortly before they are due.
 * It walks Herald's due index from where it stopped (a cursor kept in Redis) to
 * now + lookahead; adding a job whose id exists is a no-op, so promoters in several worker
 * processes, or a promoter racing the API, never create a second job.
 */
import { LIVE } from '../domain/delivery.ts';
import type { Store } from '../store/index.ts';
import type { PublishQueues } from './queues.ts';

const BATCH = 500;

export async function promote(store: Store, queues: PublishQueues, now = Date.now()): Promise<number> {
  const cursorKey = `${store.k.due}:promoted-until`;
  const from = Number((await store.redis.get(cursorKey)) ?? 0);
  const until = now + queues.lookaheadMs;
  if (until <= from) return 0;
  const platforms = new Set(queues.platforms());
  let promoted = 0;
  let offset = 0;
  for (;;) {
    const ids = await store.redis.zrangebyscore(store.k.due, `(${from}`, until, 'LIMIT', offset, BATCH);
    if (ids.length === 0) break;
    offset += ids.length;
    const items = (await store.deliveries.getMany(ids))
      .filter((d) => d !== undefined && LIVE.has(d.status) && platforms.has(d.platform))
      .map((d) => ({ deliveryId: d!.id, platform: d!.platform, runAt: Date.parse(d!.status === 'scheduled' ? d!.scheduledAt : (d!.nextAttemptAt ?? d!.updatedAt)) }));
    await queues.enqueueMany(items);
    promoted += items.length;
    if (ids.length < BATCH) break;
  }
  // Only move the cursor forward (another process may have gone further).
  await store.redis.eval(
    `local c = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > c then redis.call('SET', KEYS[1], ARGV[1]) end return 0`,
    1, cursorKey, String(until),
  );
  return promoted;
}
