/**
 * The Flagger-examples check (run by hand, not in CI): every Canary in a Flagger repository
 * checkout (YAML files, ```yaml blocks of Markdown files and shell heredocs under artifacts/,
 * docs/, test/, kustomize/ and README.md) is placed in a temporary GitOps repository as a user
 * would — with a generated target workload (a Knative Service naming its revision), the autoscaler, MetricTemplates (taken from the same
 * source file when it defines them), Ingress, ApisixRoute, Upstream and AlertProviders it names —
 * and `gitcanary validate` runs on it. Prints accepted / refused counts and every refusal's reasons.
 *
 *   node --import tsx scripts/check-flagger-examples.mjs /path/to/flagger [--verbose]
 *
 * Exit status: 0 when every Canary is accepted, 1 otherwise, 2 on usage errors.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { runValidate } from '../src/cli/validate.ts';
import { formatIssue } from '../src/inputs/model.ts';

const roots = ['artifacts', 'docs', 'test', 'kustomize', 'README.md'];

/** Provider implied by a path segment (Flagger's `-mesh-provider` of that tutorial or e2e suite). */
const pathProviders = [
  [/gatewayapi|gateway-api|linkerd-progressive/, 'gatewayapi:v1'],
  [/appmesh/, 'appmesh'],
  [/knative/, 'knative'],
  [/(^|[/-])keda|kubernetes|blue-green/, 'kubernetes'],
  [/linkerd/, 'linkerd'],
  [/kuma/, 'kuma'],
  [/contour/, 'contour'],
  [/gloo/, 'gloo'],
  [/nginx/, 'nginx'],
  [/skipper/, 'skipper'],
  [/traefik/, 'traefik'],
  [/apisix/, 'apisix'],
  [/osm/, 'osm'],
];
const providerOf = (file) => pathProviders.find(([re]) => re.test(file))?.[1] ?? 'istio';

async function files(dir, rel = '') {
  const out = [];
  let entries;
  try {
    entries = await readdir(join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(dir, path)));
    else if (/\.(ya?ml|md|sh)$/.test(e.name)) out.push(path);
  }
  return out;
}

/** YAML texts in a file: the file itself, its ```yaml blocks, or its heredocs. */
function yamlTexts(file, text) {
  if (/\.ya?ml$/.test(file)) return [text];
  if (file.endsWith('.md'))
    return [...text.matchAll(/^[ \t]*```ya?ml[^\n]*\n([\s\S]*?)^[ \t]*```/gm)].map((m) => m[1]);
  return [...text.matchAll(/<<-?\s*['"]?(\w+)['"]?[^\n]*\n([\s\S]*?)^\s*\1\s*$/gm)].map((m) => m[2]);
}

const rec = (x) => (x && typeof x === 'object' && !Array.isArray(x) ? x : {});

/** Every Canary document found, with the MetricTemplates defined next to it. */
async function collect(root) {
  const found = [];
  const paths = [];
  for (const r of roots) {
    const s = await stat(join(root, r)).catch(() => undefined);
    if (s?.isFile()) paths.push(r);
    else if (s?.isDirectory()) paths.push(...(await files(root, r)));
  }
  for (const file of paths.sort()) {
    const text = await readFile(join(root, file), 'utf8');
    const templates = [];
    const canaries = [];
    for (const [block, y] of yamlTexts(file, text).entries()) {
      if (!/kind:\s*(Canary|MetricTemplate)\b/.test(y)) continue;
      const docs = parseAllDocuments(y);
      for (const d of docs) {
        const v = d.errors.length === 0 ? d.toJS() : undefined;
        const source = y.slice(d.range[0], d.range[2]);
        if (rec(v).kind === 'MetricTemplate') templates.push(v);
        if (rec(v).kind === 'Canary') canaries.push({ value: v, text: d.toString(), block });
        else if (!v && /^kind:\s*Canary\s*$/m.test(source))
          canaries.push({ error: d.errors[0]?.message ?? 'unreadable', block });
      }
    }
    for (const c of canaries) found.push({ file, ...c, templates });
  }
  return found;
}

/** The repository a user would have for this Canary. */
function repoFiles(c) {
  const canary = c.value;
  const spec = rec(canary.spec);
  const ns = rec(canary.metadata).namespace ?? 'default';
  const target = rec(spec.targetRef);
  const svc = rec(spec.service);
  const apex = svc.name ?? target.name;
  const port = typeof svc.targetPort === 'number' ? svc.targetPort : (svc.port ?? 80);
  const portName = typeof svc.targetPort === 'string' ? svc.targetPort : 'http';
  const docs = [];
  if (target.kind === 'Deployment' || target.kind === 'DaemonSet')
    docs.push({
      apiVersion: 'apps/v1',
      kind: target.kind,
      metadata: { name: target.name, namespace: ns, labels: { app: target.name } },
      spec: {
        selector: { matchLabels: { app: target.name } },
        template: {
          metadata: { labels: { app: target.name } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'ghcr.io/stefanprodan/podinfo:6.0.0',
                ports: [{ name: portName, containerPort: port }],
              },
            ],
          },
        },
      },
    });
  // A Knative Service held in Git names its revisions (gitcanary reads no generated names).
  if (target.kind === 'Service' && target.apiVersion === 'serving.knative.dev/v1')
    docs.push({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: target.name, namespace: ns },
      spec: {
        template: {
          metadata: { name: `${target.name}-v1` },
          spec: {
            containers: [{ image: 'ghcr.io/stefanprodan/podinfo:6.0.0', ports: [{ containerPort: 9898 }] }],
          },
        },
      },
    });
  const scaler = rec(spec.autoscalerRef);
  if (scaler.kind === 'HorizontalPodAutoscaler')
    docs.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: scaler.name, namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name },
        minReplicas: 1,
        maxReplicas: 4,
      },
    });
  if (scaler.kind === 'ScaledObject')
    docs.push({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: scaler.name, namespace: ns },
      spec: {
        scaleTargetRef: { name: target.name },
        triggers: [
          {
            type: 'prometheus',
            name: 'requests',
            metadata: {
              serverAddress: 'http://prometheus:9090',
              query: `sum(rate(http_requests_total{app="${target.name}"}[1m]))`,
              threshold: '10',
            },
          },
        ],
      },
    });
  const analysis = rec(spec.analysis ?? spec.canaryAnalysis);
  const seen = new Set();
  for (const m of Array.isArray(analysis.metrics) ? analysis.metrics : []) {
    const ref = rec(rec(m).templateRef);
    if (!ref.name) continue;
    const tns = ref.namespace ?? ns;
    if (seen.has(`${tns}/${ref.name}`)) continue;
    seen.add(`${tns}/${ref.name}`);
    const own = c.templates.find((t) => rec(t.metadata).name === ref.name);
    docs.push(
      own
        ? { ...own, metadata: { ...own.metadata, namespace: tns } }
        : {
            apiVersion: 'flagger.app/v1beta1',
            kind: 'MetricTemplate',
            metadata: { name: ref.name, namespace: tns },
            spec: {
              provider: { type: 'prometheus', address: 'http://prometheus:9090' },
              query: 'sum(rate(http_requests_total{namespace="{{ namespace }}"}[{{ interval }}]))',
            },
          },
    );
  }
  for (const a of Array.isArray(analysis.alerts) ? analysis.alerts : []) {
    const ref = rec(rec(a).providerRef);
    if (ref.name)
      docs.push({
        apiVersion: 'flagger.app/v1beta1',
        kind: 'AlertProvider',
        metadata: { name: ref.name, namespace: ref.namespace ?? ns },
        spec: { type: 'slack', channel: 'general', address: 'https://hooks.slack.com/services/example' },
      });
  }
  const ingress = rec(spec.ingressRef);
  if (ingress.name)
    docs.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: ingress.name, namespace: ns },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'app.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: apex, port: { number: svc.port } } },
                },
              ],
            },
          },
        ],
      },
    });
  const route = rec(spec.routeRef);
  if (route.name)
    docs.push({
      apiVersion: 'apisix.apache.org/v2',
      kind: 'ApisixRoute',
      metadata: { name: route.name, namespace: ns },
      spec: {
        http: [
          {
            name: 'method',
            match: { hosts: ['app.example.com'], paths: ['/*'] },
            backends: [{ serviceName: apex, servicePort: svc.port }],
          },
        ],
      },
    });
  const upstream = rec(spec.upstreamRef);
  if (upstream.name)
    docs.push({
      apiVersion: 'gloo.solo.io/v1',
      kind: 'Upstream',
      metadata: { name: upstream.name, namespace: upstream.namespace ?? ns },
      spec: { kube: { serviceName: apex, serviceNamespace: ns, servicePort: svc.port } },
    });
  return {
    'gitcanary.yaml': stringify({ meshProvider: providerOf(c.file) }),
    'apps/example/canary.yaml': c.text,
    'apps/example/workload.yaml': docs.map((d) => stringify(d)).join('---\n'),
  };
}

/** A documentation snippet showing part of a Canary (no targetRef, service or name): not a whole spec. */
const isFragment = (c) => {
  const spec = rec(c.value?.spec);
  return c.value !== undefined && (!spec.targetRef || !rec(c.value.metadata).name);
};

async function check(c) {
  if (c.error) return { ok: false, reasons: [`YAML: ${c.error}`] };
  const dir = await mkdtemp(join(tmpdir(), 'flagger-example-'));
  try {
    for (const [path, content] of Object.entries(repoFiles(c))) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    const r = await runValidate(dir);
    const reasons = r.issues.filter((i) => i.severity === 'error').map(formatIssue);
    const warnings = r.issues
      .filter((i) => i.severity === 'warning')
      .map((i) => `warning: ${formatIssue(i)}`);
    if (reasons.length === 0 && r.canaries !== 1) reasons.push(`not loaded: ${r.canaries} canaries`);
    return { ok: reasons.length === 0, reasons, warnings };
  } catch (e) {
    return { ok: false, reasons: [`validate threw: ${e instanceof Error ? e.message : String(e)}`] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--'));
const verbose = args.includes('--verbose');
if (!root) {
  console.error('usage: node --import tsx scripts/check-flagger-examples.mjs /path/to/flagger [--verbose]');
  process.exit(2);
}
const found = await collect(root);
let accepted = 0;
let fragments = 0;
const byReason = new Map();
for (const c of found) {
  if (isFragment(c)) {
    fragments++;
    if (verbose) console.log(`fragment (skipped): ${c.file}`);
    continue;
  }
  const r = await check(c);
  const name = c.value
    ? `${rec(c.value.metadata).namespace ?? 'default'}/${rec(c.value.metadata).name}`
    : '?';
  const where = `${c.file} (${name}, provider ${c.value?.spec?.provider ?? providerOf(c.file)})`;
  if (r.ok) {
    accepted++;
    if (verbose) {
      console.log(`accepted: ${where}`);
      for (const w of r.warnings) console.log(`  ${w}`);
    }
    continue;
  }
  console.log(`refused: ${where}`);
  for (const reason of r.reasons) {
    const short = reason.replace(/^[^:]+:\d+: [^:]+: /, '');
    console.log(`  ${short}`);
    const key = short.replace(/"[^"]*"/g, '"…"');
    byReason.set(key, (byReason.get(key) ?? 0) + 1);
  }
}
const whole = found.length - fragments;
console.log(
  `\n${found.length} Canary documents (${fragments} partial snippets skipped): ${accepted} accepted, ${whole - accepted} refused`,
);
for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${reason}`);
process.exit(accepted === whole ? 0 : 1);
