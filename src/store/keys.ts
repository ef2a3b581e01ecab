/** Every Redis key Herald writes, in one place. `p` is the configured prefix. */
export function keys(p: string) {
  return {
    creator: (id: string) => `${p}:creator:${id}`,
    creators: `${p}:creators`,
    apiKey: (hash: string) => `${p}:apikey:${hash}`,
    account: (id: string) => `${p}:account:${id}`,
    creatorAccounts: (creatorId: string) => `${p}:creator:${creatorId}:accounts`,
    accountByExternal: (creatorId: string, platform: string, externalId: string) =>
      `${p}:account-ext:${creatorId}:${platform}:${externalId}`,
    post: (id: string) => `${p}:post:${id}`,
    creatorPosts: (creatorId: string) => `${p}:creator:${creatorId}:posts`,
    delivery: (id: string) => `${p}:dlv:${id}`,
    /** Deliveries in a live state, scored by when they are due (sweeper). */
    due: `${p}:due`,
    /** All deliveries by creation time (admin listing). */
    deliveries: `${p}:deliveries`,
    deliveriesByStatus: (status: string) => `${p}:deliveries:status:${status}`,
    /** Deliveries per status (a hash of counters kept with every transition). */
    statusCounts: `${p}:deliveries:counts`,
    idempotency: (creatorId: string, keyHash: string) => `${p}:idem:${creatorId}:${keyHash}`,
    audit: `${p}:audit`,
    lock: (name: string) => `${p}:lock:${name}`,
    platformBlock: (platform: string) => `${p}:platform:${platform}:blocked-until`,
    platformPaused: `${p}:platforms:paused`,
    /** Why a platform was paused by Herald itself (app credentials refused): reason, at, app fingerprint. */
    platformPauseReason: (platform: string) => `${p}:platform:${platform}:pause-reason`,
    /** A dashboard login session (src/dashboard/session.ts). */
    adminSession: (id: string) => `${p}:admin-session:${id}`,
    oauthState: (state: string) => `${p}:oauth-state:${state}`,
    /** An OAuth app Herald registered on one instance of a platform. */
    oauthApp: (platform: string, origin: string) => `${p}:oauth-app:${platform}:${origin}`,
    /** An app-level token (one per app id), sealed. */
    appToken: (platform: string, appId: string) => `${p}:app-token:${platform}:${appId}`,
    media: (id: string) => `${p}:media:${id}`,
    creatorMedia: (creatorId: string) => `${p}:creator:${creatorId}:media`,
    creatorMediaBytes: (creatorId: string) => `${p}:creator:${creatorId}:media-bytes`,
    sandbox: `${p}:sandbox`,
    /** Events written in the same atomic step as the change they report; the relay drains it. */
    eventOutbox: `${p}:events:outbox`,
    webhook: (id: string) => `${p}:webhook:${id}`,
    creatorWebhooks: (creatorId: string) => `${p}:creator:${creatorId}:webhooks`,
    /** One webhook's delivery log: event ids scored by creation time. */
    webhookLog: (id: string) => `${p}:webhook:${id}:log`,
    webhookDelivery: (webhookId: string, eventId: string) => `${p}:webhook:${webhookId}:evt:${eventId}`,
    /** Latest engagement reading of a published delivery. */
    engagement: (deliveryId: string) => `${p}:engagement:${deliveryId}`,
    /** Engagement collections to run, "<deliveryId>:<label>" scored by when. */
    engagementDue: `${p}:engagement:due`,
    engagementRefresh: (accountId: string) => `${p}:engagement:refresh:${accountId}`,
    bullPrefix: `${p}:q`,
  };
}
export type Keys = ReturnType<typeof keys>;
