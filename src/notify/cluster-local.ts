/**
 * URLs that resolve only inside a Kubernetes cluster (`http://flagger-loadtester.flagger-system/`),
 * so a runner outside it (a hosted CI runner) cannot reach them: `validate` warns about each
 * hook and alert URL of that kind when it does not run in a cluster. Pure.
 */
import type { RepoInventory, SpecIssue } from '../inputs/model.js';

/**
 * Top-level domains common enough that `name.<tld>` is taken for a public host, not
 * `service.namespace` (a namespace named like one of them is not flagged).
 */
const commonTlds = new Set(
  (
    'com net org io dev app ai co cloud me info biz xyz tech site online gov edu mil int eu us uk de fr nl ' +
    'be ch at se no dk fi es it pt pl cz ru ua in cn jp kr au nz ca br mx ar za sg hk tw il ie lu is tv cc ' +
    'ly gg sh to ws fm am la gl run page link live works systems services'
  ).split(' '),
);

/**
 * Whether `url`'s host is cluster-local: ends in `.svc` or `.cluster.local`, has a single label
 * (a Service in the caller's namespace; `localhost` excepted), or is `name.namespace` (two
 * labels, the second not a common top-level domain). IP addresses never are.
 * @example isClusterLocal('http://flagger-loadtester.flagger-system/') === true
 * @example isClusterLocal('http://loadtester/') === true
 * @example isClusterLocal('https://hooks.slack.com/services/x') === false
 */
export function isClusterLocal(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  if (host === '' || host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[')) return false;
  if (host.endsWith('.svc') || host.endsWith('.cluster.local') || host.includes('.svc.')) return true;
  const labels = host.split('.');
  if (labels.length === 1) return true;
  return labels.length === 2 && !commonTlds.has(labels[1]!);
}

/**
 * A warning for every cluster-local webhook URL and AlertProvider address, when the run is not
 * in a cluster (`KUBERNETES_SERVICE_HOST` unset), naming file, object and field.
 */
export function clusterLocalIssues(inv: RepoInventory, env: NodeJS.ProcessEnv = process.env): SpecIssue[] {
  if (env.KUBERNETES_SERVICE_HOST) return [];
  const out: SpecIssue[] = [];
  const warn = (file: string, line: number, object: string, path: string, what: string, url: string) => {
    if (!isClusterLocal(url)) return;
    const host = new URL(url).hostname;
    out.push({
      file,
      line,
      object,
      path,
      severity: 'warning',
      message: `${what} host ${host} resolves only inside a Kubernetes cluster, and this run is not in one (KUBERNETES_SERVICE_HOST is unset): run gitcanary in the cluster (deploy/) or use a reachable URL`,
    });
  };
  for (const c of inv.canaries) {
    const a = c.canary.spec.analysis ?? c.canary.spec.canaryAnalysis;
    const key = c.canary.spec.analysis ? 'analysis' : 'canaryAnalysis';
    const object = `${c.ref.namespace}/${c.ref.name}`;
    (a?.webhooks ?? []).forEach((h, i) => {
      const path = `spec.${key}.webhooks.${i}.url`;
      warn(c.origin.file, c.origin.line, object, path, `webhook ${h.name}`, h.url);
    });
  }
  for (const p of inv.alertProviders) {
    const address = p.value.spec.address;
    const object = `${p.value.metadata.namespace ?? 'default'}/${p.value.metadata.name}`;
    if (address) warn(p.origin.file, p.origin.line ?? 1, object, 'spec.address', 'alert provider', address);
  }
  return out;
}
