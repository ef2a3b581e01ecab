/**
 * The adapter port: everything a platform adapter is given and must return.
 * Adapters never read process.env, never touch Redis and never sleep-and-retry:
 * the publish worker owns retries, parses the target's `options` and the saved
 * `progress` with the schemas the adapter declares (src/platform/define.ts), and
 * persists what adapters hand it through `saveProgress` / `armWrite` / `disarm`.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { CodeTable } from './errors.ts';
import type { PlatformHttp } from './http.ts';
import type { MediaKind, MediaSource } from './media.ts';

export type { MediaKind };

export const PLATFORMS = [
  'x', 'linkedin', 'youtube', 'facebook', 'instagram', 'threads', 'pinterest', 'tiktok',
  'bluesky', 'mastodon', 'kuaishou', 'bilibili', 'wechat_official', 'douyin', 'xiaohongshu',
  'wechat_channels',
] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export interface MediaKindLimits {
  maxCount: number;
  maxBytes: number;
  mimeTypes: readonly string[];
}

/** Limits and capabilities as data; `validate` in the adapter covers rules data cannot express. */
/** `Options` is the type of the `options` schema, so `defineAdapter` can infer the parsed options. */
export interface PlatformManifest<Options extends z.ZodType = z.ZodType> {
  platform: PlatformName;
  displayName: string;
  /** Where the numbers below come from. */
  docs: string;
  text: {
    maxLength: number;
    /** Human description of the unit, e.g. "weighted characters (twitter-text v3)". */
    unit: string;
    count: (text: string) => number;
    /** A post must carry text (true for text-first platforms without media). */
    required: boolean;
  };
  media: {
    maxItems: number;
    kinds: Partial<Record<MediaKind, MediaKindLimits>>;
    /** `exclusive`: a post holds one kind only (e.g. X: 4 images OR 1 video). */
    mixing: 'exclusive' | 'any';
    required: boolean;
  };
  capabilities: {
    threads: boolean;
    firstComment: boolean;
    /** The platform write honours an idempotency key or a client-chosen id. */
    idempotentWrite: boolean;
    lookup: boolean;
    handoff: boolean;
    /** rotating: every refresh returns a new single-use refresh token. */
    refresh: 'rotating' | 'static' | 'none';
    oauth: boolean;
  };
  /**
   * Accounts live on their own instance (Mastodon, a Bluesky PDS): the account setting named
   * here holds the API origin. PLATFORM_<NAME>_URL replaces it first; the effective origin
   * gets the SSRF checks of src/media/url-policy.ts. Adapters read it as `ctx.origin`.
   */
  origin?: { setting: string };
  /** When the worker refreshes this platform's tokens (workers/token-refresh.ts); default: 5 minutes before expiry. */
  refreshPolicy?: RefreshPolicy;
  /** BullMQ limiter for this platform's queue (per process). */
  queueLimiter?: { max: number; durationMs: number };
  /**
   * Per-target `options` accepted by this platform: checked at accept time and parsed by the
   * worker before every run. Its messages reach the API's 422 details, so write them for creators.
   */
  options: Options;
  /** `settings` accepted on POST /v1/accounts. */
  accountSettings: z.ZodType;
  /** Extra credential fields beyond accessToken / refreshToken / expiresAt. */
  accountCredentials?: z.ZodType;
  /** What `externalId` means for this platform (shown in docs and errors). */
  externalIdDescription: string;
  /** Shape of `externalId`, checked when an account is connected. */
  externalId?: z.ZodType<string>;
}

/** When tokens are refreshed, as data the token refresher reads. */
export interface RefreshPolicy {
  /** Refresh when the access token expires within this many ms (default 5 minutes). */
  beforeExpiryMs?: number;
  /**
   * Refresh once the token is at least this old, and never before (Instagram and Threads
   * refuse to refresh a long-lived token younger than 24 h). Age counts from `issuedAt`;
   * credentials without it fall back to the expiry rule.
   */
  minAgeMs?: number;
}

export interface Credentials {
  accessToken: string;
  refreshToken?: string;
  /** ISO 8601 */
  expiresAt?: string;
  /** ISO 8601, when the platform says the refresh token dies. */
  refreshTokenExpiresAt?: string;
  /** ISO 8601, when Herald received this access token (age-based refresh policies). */
  issuedAt?: string;
  scope?: string;
  [extra: string]: unknown;
}

export interface AccountView {
  id: string;
  externalId: string;
  handle?: string;
  settings: Record<string, unknown>;
}

export interface MediaRef {
  /** Position in the post's media list. */
  index: number;
  url?: string;
  mediaId?: string;
  altText?: string;
}

export interface ThreadItem {
  text: string;
  media: MediaRef[];
}

/** `Options` is the adapter's parsed `options` schema (the worker parses it; adapters never re-parse). */
export interface PublishInput<Options = unknown> {
  deliveryId: string;
  postId: string;
  text: string;
  media: MediaRef[];
  options: Options;
  account: AccountView;
  /** ISO 8601 */
  scheduledAt: string;
}

/** Settings that come from Herald's config for this platform, never from env inside the adapter. */
export interface PlatformSettings {
  clientId?: string;
  clientSecret?: string;
  /** Platform-specific knobs, e.g. { apiVersion: "202601" } for LinkedIn. */
  extra: Record<string, string>;
}

/** `Progress` is the adapter's parsed `progress` schema. */
export interface PublishContext<Progress = unknown> {
  credentials: Credentials;
  http: PlatformHttp;
  settings: PlatformSettings;
  /** Opens media by its index in `input.media` (or a thread item's media ref). */
  openMedia(ref: MediaRef): Promise<MediaSource>;
  /**
   * State persisted by earlier attempts of this delivery (uploaded media ids, session URIs,
   * ids of posted thread items), parsed with the adapter's `progress` schema (`{}` on the
   * first attempt). Saved progress the schema cannot read never reaches the adapter: the
   * worker sends the delivery to `unknown` (progress_unreadable). Kept current by `saveProgress`.
   */
  readonly progress: Progress;
  /**
   * True when an earlier attempt of this delivery sent a write whose outcome was never
   * learned (it went to `unknown`, then an admin or a reconcile re-ran it). A platform's
   * duplicate refusal is then evidence that the first write landed, not a rejection.
   */
  previousAttemptAmbiguous: boolean;
  /** Merge into progress and persist durably; also clears an armed write. */
  saveProgress(patch: Partial<Progress>): Promise<void>;
  /**
   * The armed write was answered with a definitive refusal (nothing was created): clear the
   * armed marker so a later attempt may send it again.
   */
  disarm(): Promise<void>;
  /**
   * Record durably that a non-idempotent platform write is about to be sent.
   * If the run dies before `saveProgress`, the next run will not resend it blindly:
   * it asks `lookup`, or marks the delivery `unknown`. Throws if this run lost its claim.
   */
  armWrite(label: string): Promise<void>;
  /** The account's API origin (per-account-origin platforms only; see PlatformManifest.origin). */
  origin?: string;
  /**
   * The app-level token Herald owns for this platform's app (one per app id, shared by every
   * worker, fetched under a lock). `invalid`: the token the platform just refused — Herald
   * fetches a new one once (unless another worker already did). Present when the adapter has `appToken`.
   */
  appToken?(o?: { invalid?: string }): Promise<string>;
  /** Short, abortable wait for platform processing (capped by the worker). */
  wait(ms: number): Promise<void>;
  signal: AbortSignal;
  log: Logger;
}

export interface PublishReceipt {
  platformPostId: string;
  url: string;
  /** Raw platform facts worth keeping in history (status codes, ids of extra items). */
  details?: Record<string, unknown>;
}

export type PublishOutcome =
  | { status: 'published'; receipt: PublishReceipt }
  /** Platform accepted the write and is processing; the worker calls publish again after `checkAfterMs`. */
  | { status: 'processing'; checkAfterMs: number; note?: string }
  /** Handoff: nothing can be published unattended; the package is shown to the creator. */
  | { status: 'awaiting_action'; handoff: HandoffPackage };

export interface HandoffPackage {
  instructions: string;
  text: string;
  mediaUrls: string[];
  deepLink?: string;
}

export type LookupResult =
  /** The armed write landed; the adapter saved progress (e.g. the post id) so publish can finish. */
  | { status: 'landed' }
  /** The platform proves the armed write did not happen: it may be sent again. */
  | { status: 'absent' }
  | { status: 'inconclusive'; message: string };

export interface RefreshContext {
  http: PlatformHttp;
  settings: PlatformSettings;
  /** The OAuth app registered for the account's origin (per-instance platforms); else `settings` hold it. */
  app?: { clientId: string; clientSecret?: string };
  /** The account's API origin (a Mastodon instance, a Bluesky PDS), after PLATFORM_<NAME>_URL and the SSRF checks. */
  origin?: string;
  signal: AbortSignal;
  log: Logger;
}

export interface OAuthStart {
  clientId: string;
  redirectUri: string;
  state: string;
  /** Present when the manifest says PKCE is used. */
  codeChallenge?: string;
  /** The instance the creator connects (per-account origin platforms). */
  origin?: string;
}

export interface ConnectedIdentity {
  externalId: string;
  handle?: string;
  credentials: Credentials;
  settings?: Record<string, unknown>;
}

export interface OAuthFlow {
  pkce: boolean;
  scopes: readonly string[];
  /**
   * How the token endpoint authenticates Herald's app (src/platform/oauth2.ts): config
   * requires a client secret in live mode unless the flow may run as a public client.
   */
  clientAuth?: 'basic' | 'form' | 'public' | 'basic-or-public';
  /** The browser-facing authorize URL (override applied by the caller through `rewrite`). */
  authorizeUrl(start: OAuthStart, rewrite: (url: string) => string): string;
  /**
   * Per-instance platforms: register Herald's OAuth app on `origin` (Mastodon POST
   * /api/v1/apps). Herald stores the registration (secret sealed), one per platform + origin, and reuses it.
   */
  register?(origin: string, redirectUri: string, ctx: RefreshContext): Promise<{ clientId: string; clientSecret?: string }>;
  /** Exchange the code and fetch the identity needed for posting. */
  exchange(
    params: { code: string; redirectUri: string; codeVerifier?: string },
    ctx: RefreshContext,
  ): Promise<ConnectedIdentity>;
}

export interface ValidationIssue {
  field: string;
  code: string;
  message: string;
}

/** Engagement normalised across platforms; a number the platform does not give is left out, never 0. */
export interface EngagementMetrics {
  impressions?: number;
  likes?: number;
  comments?: number;
  shares?: number;
  views?: number;
  /** The platform's own numbers, as it named them. */
  raw: Record<string, unknown>;
}

export type MetricsReading =
  | { status: 'ok'; metrics: EngagementMetrics }
  /** The platform, or this account's scopes, offer no numbers for this post: said, not zeroed. */
  | { status: 'unavailable'; reason: string };

export interface MetricsContext {
  credentials: Credentials;
  http: PlatformHttp;
  settings: PlatformSettings;
  signal: AbortSignal;
  log: Logger;
}

/**
 * Built with `defineAdapter` (src/platform/define.ts), which types `Options` and `Progress`
 * from `manifest.options` and `progress`; the worker sees the erased `PlatformAdapter`.
 */
export interface PlatformAdapter<Options = unknown, Progress = unknown> {
  manifest: PlatformManifest;
  /** What publish() keeps between attempts; `{}` must parse (the first attempt). */
  progress: z.ZodType;
  /** Every delivery error code this adapter raises (src/platform/codes.ts `adapterErrors`). */
  codes: CodeTable;
  /** Platform rules the manifest data cannot express (weighted text, title rules, thread items); gets parsed options. */
  validate?(input: { text: string; media: MediaRef[]; options: Options }): ValidationIssue[];
  publish(input: PublishInput<Options>, ctx: PublishContext<Progress>): Promise<PublishOutcome>;
  /** Reconcile an armed write whose outcome is unknown (`at`: when it was armed, ISO 8601). */
  lookup?(input: PublishInput<Options>, ctx: PublishContext<Progress>, armed: { label: string; at: string }): Promise<LookupResult>;
  /** Read a published post's engagement (read-only; errors are AdapterErrors like publish's). */
  readMetrics?(input: { platformPostId: string; account: AccountView }, ctx: MetricsContext): Promise<MetricsReading>;
  /** Throws AdapterError kind `auth` with refreshable=false when the refresh token is dead. */
  refresh?(credentials: Credentials, ctx: RefreshContext): Promise<Credentials>;
  oauth?: OAuthFlow;
  /** How to fetch the app-level token (WeChat stable_token, Douyin client_token); Herald stores, shares and locks it. */
  appToken?: AppTokenSource;
  /**
   * What the operator should know about this platform's configuration: facts shown in
   * GET /v1/admin/queues (e.g. the API version and its sunset) and warnings logged at start-up.
   */
  configStatus?(settings: PlatformSettings, now: Date): ConfigStatus;
}

export interface ConfigStatus {
  facts: Record<string, string>;
  warnings: string[];
}

export interface AppTokenSource {
  /** `force`: the platform refused the stored token; ask for a new one even if it thinks the old one lives (WeChat force_refresh). */
  fetch(ctx: RefreshContext, o: { force: boolean }): Promise<{ token: string; expiresAt: string }>;
}
