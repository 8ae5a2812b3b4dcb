/**
 * A generated GitOps repository with N Istio canaries (`apps/app-<i>/`), pushed to a temporary
 * bare remote and cloned, plus the resets the benchmark needs to replay a tick from a saved commit.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../test/support/gitops.js';

/** The namespace every generated canary lives in (workload names are unique across it). */
export const benchNamespace = 'bench';

export const appName = (i: number): string => `app-${i}`;

const canaryYaml = (name: string): string => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: ${name}
  namespace: ${benchNamespace}
spec:
  provider: istio
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  service:
    port: 9898
    hosts: [${name}.example.com]
  analysis:
    interval: 1m
    threshold: 2
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 1m
`;

const deploymentYaml = (name: string, version: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${benchNamespace}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: app
          image: ghcr.io/stefanprodan/podinfo:${version}
          ports:
            - containerPort: 9898
              name: http
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const kustomizationYaml = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - rendered
`;

export interface BenchRepo {
  n: number;
  base: string;
  remote: string;
  /** The clone gitcanary runs in. */
  work: string;
  /** The commit at the tip of the remote's main. */
  remoteHead(): string;
  /**
   * Moves the remote's main, then the clone's tracking ref, branch and working tree to `sha`, and
   * prunes the clone's unreachable objects.
   */
  resetTo(sha: string): void;
  /**
   * Packs both repositories and drops unreachable objects, as a fresh clone would be; call it only
   * when every commit still needed is reachable from the remote's main.
   */
  compact(): void;
  /** Changes every app's image and pushes that as one commit from the clone; returns it. */
  bumpImages(version: string): string;
  cleanup(): void;
}

export function createBenchRepo(n: number): BenchRepo {
  const base = mkdtempSync(join(tmpdir(), 'gitcanary-bench-'));
  const remote = join(base, 'remote.git');
  const seed = join(base, 'seed');
  const work = join(base, 'work');
  try {
    git(base, 'init', '-q', '--bare', '-b', 'main', remote);
    // No background repack may land inside a measured sample.
    git(remote, 'config', 'gc.auto', '0');
    git(remote, 'config', 'receive.autogc', 'false');
    mkdirSync(seed);
    git(seed, 'init', '-q', '-b', 'main');
    for (let i = 0; i < n; i++) {
      const name = appName(i);
      const dir = join(seed, 'apps', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'canary.yaml'), canaryYaml(name));
      writeFileSync(join(dir, 'deployment.yaml'), deploymentYaml(name, '6.1.5'));
      writeFileSync(join(dir, 'kustomization.yaml'), kustomizationYaml);
    }
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', `seed ${n} canaries`);
    git(seed, 'push', '-q', remote, 'main');
    rmSync(seed, { recursive: true, force: true });
    git(base, 'clone', '-q', remote, work);
    git(work, 'config', 'gc.auto', '0');
    git(work, 'config', 'maintenance.auto', 'false');
  } catch (e) {
    rmSync(base, { recursive: true, force: true });
    throw e;
  }
  return {
    n,
    base,
    remote,
    work,
    remoteHead: () => git(remote, 'rev-parse', 'refs/heads/main'),
    resetTo(sha) {
      git(remote, 'update-ref', 'refs/heads/main', sha);
      git(work, 'fetch', '-q', 'origin');
      git(work, 'reset', '-q', '--hard', sha);
      git(work, 'clean', '-q', '-fd');
      // Drop the loose objects the previous run wrote, so the next one writes every object anew
      // (a later run would otherwise find its blobs and trees already there).
      git(work, 'reflog', 'expire', '--expire=now', '--all');
      git(work, 'prune', '--expire=now');
    },
    compact() {
      git(work, 'reflog', 'expire', '--expire=now', '--all');
      git(work, 'gc', '--quiet', '--prune=now');
      git(remote, 'gc', '--quiet', '--prune=now');
    },
    bumpImages(version) {
      for (let i = 0; i < n; i++) {
        const file = join(work, 'apps', appName(i), 'deployment.yaml');
        const text = readFileSync(file, 'utf8').replace(/podinfo:[0-9.]+/, `podinfo:${version}`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      git(work, 'commit', '-q', '-am', `podinfo ${version} everywhere`);
      git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
      return git(work, 'rev-parse', 'HEAD');
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
