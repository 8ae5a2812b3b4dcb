/**
 * The egress policy: which URLs a spec may send requests to, and which of them may receive which
 * credential. It is the operator's (flags, environment, `gitcanary.yaml` on the target branch),
 * never a spec's. Pure: decisions only; the HTTP client (http.ts) attaches what is decided here.
 *
 * - The operator's Prometheus credentials (PROMETHEUS_TOKEN, …) go only to the operator's metrics
 *   server (and to the URLs listed in `egress.prometheusCredentials`).
 * - A MetricTemplate's `secretRef` is resolved in the template's own namespace; it goes to the
 *   template's `provider.address` (only under `egress.secrets.urls[<ns>/<name>]` when listed).
 * - A spec URL (`spec.metricsServer`, `provider.address`) is used as Flagger uses it, with no
 *   credential of the operator's; `egress.allowedUrls` restricts spec URLs to some prefixes.
 * - `plan` on a branch sends a secret only to the URL the target branch has for that use.
 */

export interface EgressPolicy {
  /** The operator's metrics server (`--metrics-server`, GITCANARY_METRICS_SERVER, gitcanary.yaml). */
  metricsServer: string;
  /** URL prefixes spec URLs may use; undefined: any http(s) URL. */
  allowedUrls?: readonly string[];
  /** More URL prefixes the operator's Prometheus credentials may go to. */
  prometheusCredentials?: readonly string[];
  /** Per secret (`namespace/name`), the URL prefixes it may go to. */
  secretUrls?: Readonly<Record<string, readonly string[]>>;
  /** Uses present on the target branch (see `useKey`); undefined: every use is the target's own. */
  targetUses?: ReadonlySet<string>;
}

/** One outbound use a check makes. */
export interface EgressUse {
  /** The URL the query goes to. */
  url: string;
  /** Whether a spec chose the URL (`spec.metricsServer`, `provider.address`) or the operator. */
  from: 'spec' | 'operator';
  /** The MetricTemplate's secretRef, in the template's namespace. */
  secret?: { namespace: string; name: string };
}

/** What the policy decided for a use. */
export type EgressDecision =
  | { allowed: false; reason: string }
  | {
      allowed: true;
      /** `operator`: PROMETHEUS_*; `secret`: the named secret; undefined: none. */
      credential?: 'operator' | 'secret';
      /** Why no credential goes with the request, when one was asked for (for logs and plan). */
      note?: string;
    };

/**
 * A use's identity on the target branch: the URL and the secret that goes with it.
 * @example useKey({ url: 'http://p:9090', from: 'spec', secret: { namespace: 'a', name: 's' } }) === 'http://p:9090 a/s'
 */
export const useKey = (u: EgressUse): string =>
  `${u.url}${u.secret ? ` ${u.secret.namespace}/${u.secret.name}` : ''}`;

/**
 * Whether `url` is under `prefix`: same scheme, host and port, and the prefix's path is a whole
 * path prefix (`http://p/prom` covers `http://p/prom/x`, not `http://p/prometheus`).
 * @example underPrefix('https://m.example/api/v1', 'https://m.example/') === true
 * @example underPrefix('https://m.example.evil/', 'https://m.example') === false
 */
export function underPrefix(url: string, prefix: string): boolean {
  const u = parse(url);
  const p = parse(prefix);
  if (!u || !p || u.origin !== p.origin) return false;
  const base = p.pathname.replace(/\/+$/, '');
  const path = u.pathname.replace(/\/+$/, '');
  return base === '' || path === base || path.startsWith(`${base}/`);
}

/**
 * The policy's decision for one use.
 * @example decide({ metricsServer: 'http://prom:9090' }, { url: 'http://evil', from: 'spec' })
 *   → { allowed: true } // used as Flagger would, without the operator's credentials
 */
export function decideEgress(policy: EgressPolicy, use: EgressUse): EgressDecision {
  const parsed = parse(use.url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    return { allowed: false, reason: `${show(use.url)} is not an http(s) URL` };
  const operatorServer = underPrefix(use.url, policy.metricsServer);
  if (use.from === 'spec' && policy.allowedUrls && !operatorServer) {
    if (!policy.allowedUrls.some((p) => underPrefix(use.url, p)))
      return {
        allowed: false,
        reason: `egress policy refuses ${show(use.url)}: not under egress.allowedUrls (${policy.allowedUrls.join(', ')})`,
      };
  }
  if (use.secret) return decideSecret(policy, use, use.secret);
  if (operatorServer || (policy.prometheusCredentials ?? []).some((p) => underPrefix(use.url, p)))
    return { allowed: true, credential: 'operator' };
  return { allowed: true };
}

function decideSecret(
  policy: EgressPolicy,
  use: EgressUse,
  secret: { namespace: string; name: string },
): EgressDecision {
  const id = `${secret.namespace}/${secret.name}`;
  const urls = policy.secretUrls?.[id];
  if (urls && !urls.some((p) => underPrefix(use.url, p)))
    return {
      allowed: true,
      note: `secret ${id} not sent to ${show(use.url)}: not under egress.secrets.urls["${id}"]`,
    };
  if (policy.targetUses && !policy.targetUses.has(useKey(use)))
    return {
      allowed: true,
      note: `secret ${id} not sent to ${show(use.url)}: this branch changed the URL or the secret (the target branch's URL gets it)`,
    };
  return { allowed: true, credential: 'secret' };
}

/** A URL without its userinfo, for messages. */
export const show = (url: string): string => url.replace(/\/\/[^/@]*@/, '//***@');

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
