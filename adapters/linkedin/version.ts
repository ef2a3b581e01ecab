/**
 * The `LinkedIn-Version` header (YYYYMM). LinkedIn releases a version every month and serves
 * each for about 12 months; a sunset version is refused with 426 NONEXISTENT_VERSION
 * [V versioning; 2026 review: 202511 sunset on 2026-11-16, 202601 sunsets on 2027-01-15].
 * A pinned default would be a time bomb, so the default follows the calendar.
 */
import type { ConfigStatus, PlatformSettings } from '../../src/platform/port.ts';

/** Sunset dates LinkedIn published [V migrations page]; others are estimated. */
export const KNOWN_SUNSETS: Readonly<Record<string, string>> = { '202511': '2026-11-16', '202601': '2027-01-15' };
/** Warn this long before the configured version's sunset. */
export const SUNSET_WARNING_DAYS = 60;
const DAY_MS = 86_400_000;

/** The previous calendar month's version (UTC): released, and served for about 11 more months. */
export function defaultApiVersion(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function apiVersion(settings: PlatformSettings, now = new Date()): string {
  return settings.extra.apiVersion ?? defaultApiVersion(now);
}

/** When LinkedIn stops serving `version`: published, else the 15th of its month a year later (estimated). */
export function sunsetOf(version: string): { date: Date; estimated: boolean } {
  const known = KNOWN_SUNSETS[version];
  if (known) return { date: new Date(`${known}T00:00:00Z`), estimated: false };
  const year = Number(version.slice(0, 4));
  const month = Number(version.slice(4, 6));
  return { date: new Date(Date.UTC(year + 1, month - 1, 15)), estimated: true };
}

/** The version in use, its sunset, and a warning when the sunset is near or past. */
export function versionStatus(settings: PlatformSettings, now = new Date()): ConfigStatus {
  const configured = settings.extra.apiVersion !== undefined;
  const version = apiVersion(settings, now);
  const sunset = sunsetOf(version);
  const day = sunset.date.toISOString().slice(0, 10);
  const facts = {
    apiVersion: version,
    apiVersionSource: configured ? 'LINKEDIN_API_VERSION' : 'default (the previous month\'s version)',
    apiVersionSunset: sunset.estimated ? `${day} (estimated: about 12 months after release)` : day,
  };
  const daysLeft = Math.floor((sunset.date.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft > SUNSET_WARNING_DAYS) return { facts, warnings: [] };
  const when = daysLeft < 0 ? `was sunset on ${day}` : `sunsets on ${day} (in ${daysLeft} days)`;
  return {
    facts,
    warnings: [`LinkedIn API version ${version} ${when}: LinkedIn then refuses every call with 426. Upgrade LINKEDIN_API_VERSION to a current YYYYMM version, or unset it to follow the default (https://learn.microsoft.com/en-us/linkedin/marketing/versioning).`],
  };
}
