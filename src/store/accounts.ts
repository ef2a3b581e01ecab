import type { Redis } from 'ioredis';
import type { Credentials, PlatformName } from '../platform/port.ts';
import { accountReauthOutboxEntry } from '../webhooks/events.ts';
import { extendAccountBlock } from './block-windows.ts';
import { decrypt, encrypt, isLegacySealed } from './crypto.ts';
import type { Keys } from './keys.ts';

export type AccountStatus = 'active' | 'reauth_required';

export interface Account {
  id: string;
  creatorId: string;
  platform: PlatformName;
  externalId: string;
  handle?: string;
  status: AccountStatus;
  settings: Record<string, unknown>;
  /** ms epoch: 429 / quota windows for this account. */
  blockedUntil?: number;
  reauthReason?: string;
  /** Set when a refresh's answer was lost and the platform's refresh tokens are single-use. */
  refreshRisk?: string;
  createdAt: string;
  updatedAt: string;
}

/** The public view: never includes credentials. */
export function accountView(a: Account) {
  return {
    id: a.id,
    platform: a.platform,
    externalId: a.externalId,
    handle: a.handle ?? null,
    status: a.status,
    settings: a.settings,
    blockedUntil: a.blockedUntil ? new Date(a.blockedUntil).toISOString() : null,
    reauthReason: a.reauthReason ?? null,
    refreshRisk: a.refreshRisk ?? null,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

function fromHash(h: Record<string, string>): Account | undefined {
  if (!h.id) return undefined;
  return {
    id: h.id,
    creatorId: h.creatorId!,
    platform: h.platform as PlatformName,
    externalId: h.externalId!,
    ...(h.handle ? { handle: h.handle } : {}),
    status: (h.status as AccountStatus) ?? 'active',
    settings: h.settings ? (JSON.parse(h.settings) as Record<string, unknown>) : {},
    ...(h.blockedUntil ? { blockedUntil: Number(h.blockedUntil) } : {}),
    ...(h.reauthReason ? { reauthReason: h.reauthReason } : {}),
    ...(h.refreshRisk ? { refreshRisk: h.refreshRisk } : {}),
    createdAt: h.createdAt!,
    updatedAt: h.updatedAt!,
  };
}

/**
 * Accounts read when posts are accepted are cached for a second: this process's own writes
 * drop the entry at once; another process's change (a reconnect, a reauth) is seen within
 * the second, and the worker re-reads the account before publishing anyway.
 */
const CACHE_MS = 1_000;

/** 1 saved, 0 the account is gone, -1 its credentials changed since they were read. */
const REPLACE_CREDENTIALS = `
if redis.call('HEXISTS', KEYS[1], 'id') == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'cred') ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'cred', ARGV[2], 'updatedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'refreshRisk')
return 1`;

/** Re-seal credentials in place, only if they are still the value that was read. */
const RESEAL_CREDENTIALS = `
if redis.call('HGET', KEYS[1], 'cred') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'cred', ARGV[2])
return 1`;

/** Credentials are sealed with their account id as AAD: a blob copied onto another account does not open. */
const aadFor = (accountId: string) => `herald:account:${accountId}`;

const SET_IF_ACCOUNT = `
if redis.call('HEXISTS', KEYS[1], 'id') == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

export class AccountStore {
  private readonly cache = new Map<string, { account: Account | undefined; until: number }>();

  constructor(private readonly redis: Redis, private readonly k: Keys, private readonly key: Buffer) {}

  /** Like getMany, through the one-second cache (accept-time validation only). */
  async getManyCached(ids: readonly string[]): Promise<(Account | undefined)[]> {
    const now = Date.now();
    const missing = ids.filter((id) => (this.cache.get(id)?.until ?? 0) <= now);
    if (missing.length) {
      const fresh = await this.getMany(missing);
      if (this.cache.size > 50_000) this.cache.clear();
      missing.forEach((id, i) => this.cache.set(id, { account: fresh[i], until: now + CACHE_MS }));
    }
    return ids.map((id) => this.cache.get(id)?.account);
  }

  private forget(id: string) {
    this.cache.delete(id);
  }

  /** Create, or reconnect the same platform identity of the same creator (keeps its id). */
  async upsert(input: Omit<Account, 'id' | 'createdAt' | 'updatedAt' | 'status'> & { credentials: Credentials }, newId: () => string): Promise<{ account: Account; created: boolean }> {
    const extKey = this.k.accountByExternal(input.creatorId, input.platform, input.externalId);
    const now = new Date().toISOString();
    const candidate = newId();
    const claimed = await this.redis.set(extKey, candidate, 'NX');
    const id = claimed ? candidate : ((await this.redis.get(extKey)) ?? candidate);
    const existing = claimed ? undefined : await this.get(id);
    const account: Account = {
      id,
      creatorId: input.creatorId,
      platform: input.platform,
      externalId: input.externalId,
      ...(input.handle ? { handle: input.handle } : {}),
      status: 'active',
      settings: input.settings,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.forget(id);
    const m = this.redis.multi();
    m.hset(this.k.account(id), {
      id, creatorId: account.creatorId, platform: account.platform, externalId: account.externalId,
      handle: account.handle ?? '', status: 'active', settings: JSON.stringify(account.settings),
      cred: encrypt(this.key, JSON.stringify(input.credentials), aadFor(id)), createdAt: account.createdAt, updatedAt: now,
    });
    m.hdel(this.k.account(id), 'reauthReason', 'blockedUntil', 'refreshRisk');
    m.zadd(this.k.creatorAccounts(input.creatorId), Date.parse(account.createdAt), id);
    await m.exec();
    return { account, created: !existing };
  }

  async get(id: string): Promise<Account | undefined> {
    return fromHash(await this.redis.hgetall(this.k.account(id)));
  }

  async getMany(ids: readonly string[]): Promise<(Account | undefined)[]> {
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.k.account(id));
    const res = (await p.exec()) ?? [];
    return res.map(([, h]) => fromHash((h as Record<string, string>) ?? {}));
  }

  async list(creatorId: string): Promise<Account[]> {
    const ids = await this.redis.zrange(this.k.creatorAccounts(creatorId), 0, -1);
    return (await this.getMany(ids)).filter((a): a is Account => a !== undefined);
  }

  /** The account and its decrypted credentials in one read (the publish path). */
  async getWithCredentials(id: string): Promise<{ account: Account; credentials: Credentials } | undefined> {
    const h = await this.redis.hgetall(this.k.account(id));
    const account = fromHash(h);
    if (!account || !h.cred) return undefined;
    return { account, credentials: (await this.open(id, h.cred)).credentials };
  }

  async credentials(id: string): Promise<Credentials | undefined> {
    const sealed = await this.redis.hget(this.k.account(id), 'cred');
    return sealed ? (await this.open(id, sealed)).credentials : undefined;
  }

  /** The decrypted credentials and their sealed form, the version a refresh replaces. */
  async credentialsVersion(id: string): Promise<{ credentials: Credentials; sealed: string } | undefined> {
    const sealed = await this.redis.hget(this.k.account(id), 'cred');
    return sealed ? this.open(id, sealed) : undefined;
  }

  /**
   * Decrypt, and migrate a blob sealed before account binding (v1) to v2 in place. The
   * re-seal is conditional on the blob being unchanged, so it never overwrites a refresh.
   */
  private async open(id: string, sealed: string): Promise<{ credentials: Credentials; sealed: string }> {
    const plaintext = decrypt(this.key, sealed, aadFor(id));
    const credentials = JSON.parse(plaintext) as Credentials;
    if (!isLegacySealed(sealed)) return { credentials, sealed };
    const resealed = encrypt(this.key, plaintext, aadFor(id));
    const saved = await this.redis.eval(RESEAL_CREDENTIALS, 1, this.k.account(id), sealed, resealed);
    return { credentials, sealed: saved === 1 ? resealed : sealed };
  }

  /**
   * Store a refreshed credential set in one write (the rotated refresh token with its access
   * token), only if the account still holds the version it was refreshed from: a refresh that
   * finishes after the account was deleted or reconnected writes nothing. Clears a recorded
   * refresh risk (the refresh token in hand works).
   */
  async replaceCredentials(id: string, from: string, creds: Credentials): Promise<'saved' | 'deleted' | 'changed'> {
    const res = await this.redis.eval(REPLACE_CREDENTIALS, 1, this.k.account(id), from, encrypt(this.key, JSON.stringify(creds), aadFor(id)), new Date().toISOString());
    return res === 1 ? 'saved' : res === 0 ? 'deleted' : 'changed';
  }

  /** Record (on an existing account) that its stored refresh token may be dead. */
  async noteRefreshRisk(id: string, note: string): Promise<void> {
    this.forget(id);
    await this.redis.eval(SET_IF_ACCOUNT, 1, this.k.account(id), 'refreshRisk', note);
  }

  /**
   * Returns true when this call moved the account to reauth_required (false if it already was).
   * The account.reauth_required webhook event is written in the same transaction.
   */
  async markReauth(id: string, reason: string): Promise<boolean> {
    this.forget(id);
    const account = await this.get(id);
    if (!account) return false;
    const at = new Date().toISOString();
    const m = this.redis.multi().hset(this.k.account(id), { status: 'reauth_required', reauthReason: reason, updatedAt: at });
    if (account.status !== 'reauth_required') m.rpush(this.k.eventOutbox, accountReauthOutboxEntry(account, reason, at));
    await m.exec();
    return account.status !== 'reauth_required';
  }

  /** Extend (never shorten) the account's blocked-until window. */
  async blockUntil(id: string, until: number): Promise<void> {
    this.forget(id);
    await extendAccountBlock(this.redis, this.k.account(id), until);
  }

  async remove(account: Account): Promise<void> {
    this.forget(account.id);
    const m = this.redis.multi();
    m.del(this.k.account(account.id));
    m.del(this.k.accountByExternal(account.creatorId, account.platform, account.externalId));
    m.zrem(this.k.creatorAccounts(account.creatorId), account.id);
    await m.exec();
  }
}
