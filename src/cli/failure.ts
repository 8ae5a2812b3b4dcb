/**
 * The one place where the CLI turns a thrown error into its one-line message and exit code:
 * usage and configuration errors exit 2; an unreachable or refusing GitHub API, git or
 * Prometheus, and every other failure, exit 1 with one line (never a stack trace; set
 * GITCANARY_DEBUG=1 to get it).
 */

/** Network failures by their system error code. */
const network: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unverifiable TLS certificate',
};

interface Failure {
  code: 1 | 2;
  message: string;
}

/** The errors chained through `cause`, outermost first. */
function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let x = e; x !== undefined && x !== null && out.length < 8; x = (x as { cause?: unknown }).cause)
    out.push(x);
  return out;
}

/** A message as one line: its lines joined, at most 400 characters. */
export function oneLine(s: string): string {
  const joined = s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return joined.length > 400 ? `${joined.slice(0, 399)}…` : joined;
}

/** What the GitHub API answered, from an Octokit RequestError anywhere in the chain. */
function httpHint(status: number): string {
  if (status === 401) return 'the token was refused: check GITHUB_TOKEN or GH_TOKEN';
  if (status === 403) return 'forbidden or rate-limited: check the token’s permissions';
  if (status === 404) return 'not found (or the token cannot see it)';
  if (status >= 500) return 'GitHub failed; retry later';
  return '';
}

export function failure(e: unknown): Failure {
  const errors = chain(e);
  const top = errors[0];
  const name = (top as { name?: string } | undefined)?.name;
  const text = oneLine(top instanceof Error ? top.message : String(top));
  if (name === 'ConfigurationError' || name === 'SpecError') return { code: 2, message: text };
  if (process.env.GITCANARY_DEBUG && top instanceof Error && top.stack)
    return { code: 1, message: top.stack };
  for (const x of errors) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && network[code]) {
      const where = hostOf(errors);
      return {
        code: 1,
        message: `cannot reach ${where ?? 'the server'}: ${network[code]} (${code})${text.includes(code) ? '' : `: ${text}`}`,
      };
    }
  }
  for (const x of errors) {
    const { status, request, response } = x as { status?: unknown; request?: unknown; response?: unknown };
    // Octokit reports a request that got no answer as status 500 without a response.
    if (typeof status === 'number' && request !== undefined && response === undefined) {
      const where = hostOf(errors);
      return { code: 1, message: `cannot reach ${where ?? 'the server'}: ${text}` };
    }
    if (typeof status === 'number' && status >= 400) {
      const hint = httpHint(status);
      return { code: 1, message: hint ? `${text} (${hint})` : text };
    }
  }
  return { code: 1, message: text || String(name ?? 'unknown error') };
}

/** The host a failed request went to, when an error of the chain says. */
function hostOf(errors: unknown[]): string | undefined {
  for (const x of errors) {
    const url = (x as { request?: { url?: unknown } }).request?.url;
    if (typeof url === 'string') {
      try {
        return new URL(url).host;
      } catch {}
    }
    const { address, port } = x as { address?: unknown; port?: unknown };
    if (typeof address === 'string') return port ? `${address}:${port}` : address;
    const host = (x as { hostname?: unknown }).hostname;
    if (typeof host === 'string') return host;
  }
  return undefined;
}
