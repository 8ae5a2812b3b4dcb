/**
 * Real temporary repositories for the spec tests: files written under os.tmpdir(), removed by
 * `removeTempRepos` (call it from afterAll). Plain folders (every file read), or git working trees
 * with the files staged when `gitRepos(true)` was called (the loader's git discovery).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];
let asGit = false;

/** From now on, `tempRepo` makes git working trees (files staged) instead of plain folders. */
export function gitRepos(on: boolean): void {
  asGit = on;
}

/** Whether `tempRepo` makes git working trees (where objects nothing references are not read). */
export const gitMode = (): boolean => asGit;

/** Writes `files` (repo-relative path → content) into a fresh temp dir and returns its path. */
export async function tempRepo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gitcanary-spec-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  if (asGit) {
    execFileSync('git', ['init', '-q'], { cwd: root });
    execFileSync('git', ['add', '-A'], { cwd: root });
  }
  return root;
}

/** Removes every repository made by `tempRepo`. */
export async function removeTempRepos(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A valid Istio canary; `stepWeight: 10` is on line 17. */
export const canaryYaml = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
`;

/** The podinfo Deployment, referencing ConfigMap podinfo-config and Secret podinfo-secret. */
export const deploymentYaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: test
spec:
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
        - name: podinfo
          image: ghcr.io/stefanprodan/podinfo:6.0.0
          envFrom:
            - configMapRef:
                name: podinfo-config
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef:
                  name: podinfo-secret
                  key: token
`;

export const configMapYaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: podinfo-config
  namespace: test
data:
  color: blue
`;
