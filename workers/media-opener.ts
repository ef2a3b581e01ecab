/**
 * Turns a post's media reference into a MediaSource for an adapter: uploaded media from
 * disk, user URLs through the SSRF-safe fetcher; type and size checked against the
 * platform's manifest before a byte goes to the platform.
 */
import { join } from 'node:path';
import { AdapterError } from '../src/platform/errors.ts';
import { fileSource, MediaFetchError, openUrlMedia } from '../src/media/fetch.ts';
import type { MediaStore } from '../src/media/store.ts';
import type { PrivateAccess } from '../src/media/url-policy.ts';
import type { MediaSource } from '../src/platform/media.ts';
import type { MediaRef, PlatformManifest } from '../src/platform/port.ts';
import type { Post } from '../src/store/posts.ts';

export interface MediaOpener {
  open(ref: MediaRef, post: Post, manifest: PlatformManifest, signal: AbortSignal): Promise<MediaSource>;
}

function toAdapterError(err: unknown): AdapterError {
  if (err instanceof MediaFetchError) {
    return new AdapterError({ kind: err.retryable ? 'transient' : 'rejected', code: err.code, message: err.message, cause: err });
  }
  return AdapterError.is(err) ? err : new AdapterError({ kind: 'transient', code: 'media_fetch_failed', message: (err as Error).message, cause: err });
}

export function createMediaOpener(opts: { store: MediaStore; dataDir: string; allowPrivateUrls: PrivateAccess; maxBytes: number }): MediaOpener {
  return {
    async open(ref, post, manifest, signal) {
      const item = ref.url || ref.mediaId ? ref : { ...ref, ...post.media[ref.index] };
      const kinds = Object.values(manifest.media.kinds);
      const platformMax = Math.min(opts.maxBytes, Math.max(0, ...kinds.map((k) => k!.maxBytes)));
      let src: MediaSource;
      try {
        if (item.mediaId) {
          const m = await opts.store.get(item.mediaId);
          if (!m || m.creatorId !== post.creatorId) throw new MediaFetchError('media_unavailable', `uploaded media ${item.mediaId} no longer exists`, false);
          src = fileSource(opts.store.pathOf(m.sha256), m.mimeType, m.bytes, opts.store.signedUrl(m.id), item.altText);
        } else if (item.url) {
          src = await openUrlMedia(item.url, {
            allowPrivate: opts.allowPrivateUrls, maxBytes: platformMax, spoolDir: join(opts.dataDir, 'media', 'tmp'), signal,
            ...(item.altText ? { altText: item.altText } : {}),
          });
        } else {
          throw new MediaFetchError('media_unavailable', `media item ${ref.index} has neither url nor mediaId`, false);
        }
      } catch (err) {
        throw toAdapterError(err);
      }
      const limits = manifest.media.kinds[src.kind];
      if (!limits || !limits.mimeTypes.includes(src.mimeType)) {
        src.cleanup?.();
        throw new AdapterError({ kind: 'rejected', code: 'media_type_not_supported', message: `${manifest.displayName} does not accept ${src.mimeType}` });
      }
      if (src.size > limits.maxBytes) {
        src.cleanup?.();
        throw new AdapterError({ kind: 'rejected', code: 'media_too_large', message: `${manifest.displayName} accepts ${src.kind} up to ${limits.maxBytes} bytes; this one is ${src.size}` });
      }
      return src;
    },
  };
}
