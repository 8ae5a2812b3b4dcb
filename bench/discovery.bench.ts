/**
 * `npm run bench:discovery [-- N UNRELATED]`: what `gitcanary validate` costs (load + validate) over
 * N generated canaries (default 1,000), alone and with UNRELATED (default 20,000) unrelated YAML
 * files beside them (Deployments, Services and ConfigMaps of other teams, committed). Each case is
 * timed 3 times (median); the folder walk (the same folder without `.git`: every file parsed) is
 * timed once for comparison. Prints a table and writes `.bench/discovery.json`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultConfig } from '../src/inputs/config.js';
import { loadRepo, validateRepo } from '../src/inputs/load.js';
import { git } from '../test/support/gitops.js';
import { median } from './probe.js';
import { createBenchRepo } from './repo.js';

const [n = 1000, unrelated = 20_000] = process.argv.slice(2).map(Number);

const unrelatedYaml = (i: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-${i}
  namespace: team-${i % 50}
  labels:
    app.kubernetes.io/name: svc-${i}
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: svc-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: svc-${i}
    spec:
      containers:
        - name: server
          image: registry.example.com/team-${i % 50}/svc-${i}:1.${i % 17}.0
          ports:
            - containerPort: 8080
              name: web
          envFrom:
            - configMapRef:
                name: svc-${i}-env
---
apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
  namespace: team-${i % 50}
spec:
  selector:
    app.kubernetes.io/name: svc-${i}
  ports:
    - port: 80
      targetPort: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: svc-${i}-env
  namespace: team-${i % 50}
data:
  LOG_LEVEL: info
  UPSTREAM: http://svc-${(i + 1) % 1000}.team-${(i + 1) % 50}.svc:80
`;

/** Load + validate as `gitcanary validate` does; the issues found, which must be none. */
async function validateOnce(root: string): Promise<{ ms: number; canaries: number }> {
  const t = performance.now();
  const inv = await loadRepo(root, defaultConfig());
  const issues = validateRepo(inv).filter((i) => i.severity === 'error');
  const ms = performance.now() - t;
  if (issues.length > 0) throw new Error(`validate found errors: ${issues[0]?.message}`);
  return { ms, canaries: inv.canaries.length };
}

async function timed(root: string, reps: number): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    globalThis.gc?.();
    const r = await validateOnce(root);
    if (r.canaries !== n) throw new Error(`loaded ${r.canaries} canaries, expected ${n}`);
    runs.push(r.ms);
  }
  return median(runs);
}

async function withoutGit(root: string): Promise<number> {
  renameSync(join(root, '.git'), join(root, '.git-off'));
  try {
    return await timed(root, 1);
  } finally {
    renameSync(join(root, '.git-off'), join(root, '.git'));
  }
}

async function main(): Promise<void> {
  const repo = createBenchRepo(n);
  try {
    const alone = await timed(repo.work, 3);
    const aloneWalk = await withoutGit(repo.work);
    for (let i = 0; i < unrelated; i++) {
      const dir = join(repo.work, 'platform', `team-${i % 50}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `svc-${i}.yaml`), unrelatedYaml(i));
    }
    git(repo.work, 'add', '-A');
    git(repo.work, 'commit', '-q', '-m', `${unrelated} unrelated files`);
    const beside = await timed(repo.work, 3);
    const besideWalk = await withoutGit(repo.work);
    const figures = {
      n,
      unrelated,
      aloneMs: alone,
      besideMs: beside,
      aloneWalkMs: aloneWalk,
      besideWalkMs: besideWalk,
    };
    const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`| validate of ${n} canaries | git discovery | folder walk (no .git) |`);
    console.log('|---|---|---|');
    console.log(`| alone | ${f(alone)} | ${f(aloneWalk)} |`);
    console.log(`| beside ${unrelated} unrelated YAML files | ${f(beside)} | ${f(besideWalk)} |`);
    console.log(`| ratio | ${(beside / alone).toFixed(2)}× | ${(besideWalk / aloneWalk).toFixed(2)}× |`);
    const outDir = resolve(import.meta.dirname, '../.bench');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'discovery.json'), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    repo.cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
