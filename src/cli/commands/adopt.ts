/** `gitcanary adopt [NAMESPACE/NAME | -A]`: status files that take canaries over from a live Flagger. */
import { liveFromCluster, liveFromFile } from '../../adopt/live.js';
import { ConfigurationError } from '../../errors.js';
import type { RepoConfig } from '../../inputs/config.js';
import { type AdoptResult, adopt } from '../../reconcile/adopt.js';
import { resolveAuthor } from '../identity.js';
import { canaryId, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

/**
 * The cutover once the status files are in Git, in the order to run it, for the canaries adopted
 * (`ns/name` and their target): Flagger stopped, its Canaries deleted orphaning what they own,
 * Flagger's reconcile-disabled mark taken off, then the applier syncs gitcanary's files.
 */
export function cutover(adopted: Array<{ id: string; target: string }>): string[] {
  const lines = ['kubectl -n flagger-system scale deployment/flagger --replicas=0'];
  for (const { id, target } of adopted) {
    const [ns, name] = id.split('/');
    lines.push(
      `kubectl -n ${ns} delete canaries.flagger.app ${name} --cascade=orphan`,
      `kubectl -n ${ns} annotate deployment/${target}-primary service/${target} service/${target}-primary service/${target}-canary kustomize.toolkit.fluxcd.io/reconcile-`,
    );
  }
  lines.push('flux reconcile kustomization <the one applying these folders>   # or wait for its interval');
  return lines;
}

export async function run({ values, positionals, out, err }: CommandContext): Promise<number> {
  const all = values['all-namespaces'] === true;
  if (all === (positionals[0] !== undefined))
    throw new ConfigurationError('give one NAMESPACE/NAME, or -A for every canary without a status file');
  const id = positionals[0] === undefined ? undefined : canaryId(positionals[0]);
  const repo = str(values, 'repo') ?? '.';
  const from = str(values, 'from');
  const r = await adopt({
    repoDir: repo,
    ...(id ? { id } : {}),
    live: from ? await liveFromFile(from) : openLive,
    author: resolveAuthor(str(values, 'author'), repo),
    force: values.force === true,
    push: values['no-push'] !== true,
  });
  const adopted = r.canaries.flatMap((c) => (c.files && c.target ? [{ id: c.id, target: c.target }] : []));
  const steps = adopted.length > 0 ? cutover(adopted) : [];
  await printResult(str(values, 'output'), out, { ...r, cutover: steps }, () => text(r));
  if (steps.length > 0)
    err(
      `then cut over (and take the annotation off any other object Flagger marked):\n${steps.map((l) => `  ${l}`).join('\n')}`,
    );
  return r.canaries.some((c) => c.outcome === 'refused') ? 1 : 0;
}

async function openLive(config: RepoConfig) {
  const cluster = config.cluster;
  if (!cluster || cluster.access === 'none')
    throw new ConfigurationError(
      'gitcanary.yaml: cluster.access is none: set it to kubeconfig or in-cluster, or pass --from FILE (kubectl get canaries,deployments -A -o yaml)',
    );
  const { openKubeReader } = await import('../../cluster/kube-reader.js');
  const { parseDuration } = await import('../../inputs/defaults.js');
  return liveFromCluster(
    await openKubeReader({
      ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
      ...(cluster.context ? { context: cluster.context } : {}),
      inCluster: cluster.access === 'in-cluster',
      timeoutMs: parseDuration(cluster.timeout) ?? 10_000,
      maxBytes: config.limits.responseBytes,
    }),
  );
}

function text(r: AdoptResult): string {
  const lines = r.canaries.map((c) => `${c.id}: ${c.outcome}: ${c.message.replace(`${c.id}: `, '')}`);
  if (r.canaries.length === 0) lines.push('no canary in the repository');
  lines.push(
    r.commit ? `commit ${r.commit}${r.pushed ? ' pushed' : ' (not pushed)'}` : 'no change: nothing to adopt',
  );
  return lines.join('\n');
}
