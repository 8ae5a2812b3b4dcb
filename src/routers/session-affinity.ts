/**
 * Session affinity (`analysis.sessionAffinity`, Istio and Gateway API): which cookies a render
 * sets or deletes, derived purely from the run. Flagger draws the cookie value at random and
 * keeps it in `status.sessionAffinityCookie`; here it is a hash of the canary and its run
 * revision, which is stable for the whole run and needs no status field.
 */
import { createHash } from 'node:crypto';
import { afterRunPhases as afterRun } from '../core/phases.js';
import { analysisIntervalMs, analysisOf, defaults } from '../inputs/defaults.js';
import type { Canary } from '../inputs/schema.js';
import type { RouterInput } from './types.js';

type Affinity = NonNullable<NonNullable<Canary['spec']['analysis']>['sessionAffinity']>;

/** A cookie as `<name>=<value>`. */
export interface Cookie {
  name: string;
  value: string;
}

/**
 * What the routing object does about cookies for this render:
 * - `none`: plain weighted routing (no affinity, or nothing to set or delete);
 * - `sticky`: canary weight > 0, so requests carrying the run's canary cookie (and, with
 *   `primaryCookieName`, the primary cookie) stick to their side; the weighted route sets them;
 * - `cleanup`: canary weight 0 after a run; a rule tells clients holding that run's canary
 *   cookie to delete it (`Max-Age=-1`).
 */
export type AffinityPlan =
  | { kind: 'none' }
  | { kind: 'sticky'; affinity: Affinity; canary: Cookie; primary?: Cookie }
  | { kind: 'cleanup'; affinity: Affinity; canary: Cookie };

/**
 * Ten lowercase letters from SHA-256 of `seed` (byte mod 26), the shape of Flagger's `randSeq`.
 * @example cookieValue('test/podinfo/rev-1') // 'qlrovoozvj'
 */
export function cookieValue(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  return Array.from(bytes.subarray(0, 10), (b) => String.fromCharCode(97 + (b % 26))).join('');
}

/**
 * The cookie plan of a render. The canary cookie's value comes from
 * `<namespace>/<name>/<runRevision>`, the primary cookie's from the same seed plus `/primary`.
 * @example affinityPlan({ ...input, routes: { primary: 70, canary: 30, mirrored: false } })
 * // { kind: 'sticky', canary: { name: 'flagger-cookie', value: '…' }, … }
 * @example affinityPlan({ ...input, routes: { primary: 100, canary: 0, mirrored: false }, phase: 'Succeeded' })
 * // { kind: 'cleanup', canary: { name: 'flagger-cookie', value: '…' }, … } (the same value as during the run)
 */
export function affinityPlan(input: Omit<RouterInput, 'lookup'>): AffinityPlan {
  const affinity = analysisOf(input.canary.canary)?.sessionAffinity;
  if (!affinity) return { kind: 'none' };
  const seed = `${input.namespace}/${input.canary.ref.name}/${input.runRevision}`;
  const canary = { name: affinity.cookieName, value: cookieValue(seed) };
  if (input.routes.canary > 0) {
    const primaryName = affinity.primaryCookieName;
    return {
      kind: 'sticky',
      affinity,
      canary,
      ...(primaryName ? { primary: { name: primaryName, value: cookieValue(`${seed}/primary`) } } : {}),
    };
  }
  if (input.runRevision !== '' && afterRun.has(input.phase)) return { kind: 'cleanup', affinity, canary };
  return { kind: 'none' };
}

/** `maxAge` or Flagger's default of one day (`GetMaxAge`: 0 means unset). */
export const canaryMaxAge = (a: Affinity): number =>
  a.maxAge === undefined || a.maxAge === 0 ? defaults.sessionAffinityMaxAge : a.maxAge;

/** The primary cookie lives for one analysis interval, in seconds. */
export const primaryMaxAge = (c: Canary): number => Math.floor(analysisIntervalMs(c) / 1000);

/**
 * A `Set-Cookie` value with the spec's attributes, in Flagger's order.
 * @example setCookie({ cookieName: 'c', path: '/', secure: true }, { name: 'c', value: 'abc' }, 60)
 * // 'c=abc; Max-Age=60; Path=/; Secure'
 */
export function setCookie(a: Affinity, cookie: Cookie, maxAge: number): string {
  const parts = [`${cookie.name}=${cookie.value}`, `Max-Age=${maxAge}`];
  if (a.domain) parts.push(`Domain=${a.domain}`);
  if (a.httpOnly) parts.push('HttpOnly');
  if (a.partitioned) parts.push('Partitioned');
  if (a.path) parts.push(`Path=${a.path}`);
  if (a.sameSite) parts.push(`SameSite=${a.sameSite}`);
  if (a.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The `Cookie` header regex selecting requests that carry `cookie` (the name is escaped, the
 * value is lowercase letters).
 * @example cookieRegex({ name: 'flagger-cookie', value: 'abcdefghij' }) // '.*flagger-cookie.*abcdefghij.*'
 */
export const cookieRegex = (cookie: Cookie): string =>
  `.*${cookie.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*${cookie.value}.*`;
