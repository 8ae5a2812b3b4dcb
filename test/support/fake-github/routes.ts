/**
 * The REST route table's plumbing: path templates (the OpenAPI description's keys, so each
 * request maps to its operation), replies, GitHub-style errors and pagination.
 */
import type { Urls } from './shapes.js';
import type { FakeState, RepoRecord } from './state.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Call {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON request body ({} without one). */
  body: Record<string, unknown>;
  repo: RepoRecord;
  st: FakeState;
  u: Urls;
  /** The full request URL (for Link headers). */
  url: URL;
}

export interface Route {
  method: string;
  /** OpenAPI path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  template: string;
  regex: RegExp;
  keys: string[];
  handle: (c: Call) => Reply;
}

/** A route; `{ref}` of the git refs routes spans slashes (`heads/a/b`), other params one segment. */
export function route(method: string, template: string, handle: (c: Call) => Reply): Route {
  const keys: string[] = [];
  const pattern = template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    keys.push(key);
    return key === 'ref' && template.includes('/git/ref') ? '(.+)' : '([^/]+)';
  });
  return { method, template, regex: new RegExp(`^${pattern}$`), keys, handle };
}

/** The route for a request path (raw, still percent-encoded) with its decoded params. */
export function match(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { template?: string } {
  let template: string | undefined;
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    template ??= r.template;
    if (r.method !== method) continue;
    const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1] ?? '')]));
    return { route: r, params };
  }
  return template ? { template } : {};
}

const docs = 'https://docs.github.com/rest';

export const error = (status: number, message: string): Reply => ({
  status,
  body: { message, documentation_url: docs, status: String(status) },
});

export const notFound = (): Reply => error(404, 'Not Found');

/** 422 Validation Failed with GitHub's `errors` entries. */
export const invalid = (...errors: Record<string, unknown>[]): Reply => ({
  status: 422,
  body: { message: 'Validation Failed', errors, documentation_url: docs, status: '422' },
});

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `per_page` (≤ 100, default 30) and `page` (from 1) of a list request. */
export function paging(c: Call): { perPage: number; current: number } {
  const perPage = Math.min(100, Math.max(1, Number(c.query.get('per_page') ?? 30) || 30));
  return { perPage, current: Math.max(1, Number(c.query.get('page') ?? 1) || 1) };
}

/** GitHub's Link header (`last` only when the total is known), or {} on a single page. */
export function linkHeader(c: Call, hasNext: boolean, last?: number): Record<string, string> {
  const { perPage, current } = paging(c);
  const link = (n: number, rel: string): string => {
    const u = new URL(c.url);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(n));
    return `<${u.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (current > 1) links.push(link(current - 1, 'prev'));
  if (hasNext) links.push(link(current + 1, 'next'));
  if (hasNext && last !== undefined) links.push(link(last, 'last'));
  if (current > 1) links.push(link(1, 'first'));
  return links.length ? { link: links.join(', ') } : {};
}

/** One page of `items` with its Link header. */
export function page(c: Call, items: unknown[]): Reply {
  const { perPage, current } = paging(c);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((current - 1) * perPage, current * perPage);
  return { status: 200, body, headers: linkHeader(c, current < last, last) };
}
