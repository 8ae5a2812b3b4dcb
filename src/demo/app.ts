/**
 * The demo's GitOps application: a Flagger Canary for podinfo on Istio, its Deployment, and the
 * kustomization Flux would apply (it lists `rendered/`, never the inputs).
 */
export const demoFiles: Record<string, string> = {
  'gitcanary.yaml': `# gitcanary repository config (all fields optional)
meshProvider: istio
metricsServer: http://prometheus.istio-system:9090
`,
  'apps/podinfo/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: demo
resources:
  - rendered
`,
  'apps/podinfo/canary.yaml': `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: demo
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 2
    maxWeight: 60
    stepWeight: 20
    metrics:
      - name: request-success-rate
        interval: 1m
        thresholdRange:
          min: 99
      - name: request-duration
        interval: 1m
        thresholdRange:
          max: 500
`,
  'apps/podinfo/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: demo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
        - name: podinfod
          # the image a human bumps to start a canary
          image: ghcr.io/stefanprodan/podinfo:6.1.5
          ports:
            - containerPort: 9898
              name: http
`,
};

/**
 * Recorded metrics of two releases, one value per analysis, as Prometheus returned them for
 * the builtin Istio queries: 6.1.6 is healthy, 6.1.7 returns 5xx under load.
 */
export const recordedReleases = {
  '6.1.6': {
    'request-success-rate': [99.95, 99.9, 99.97, 99.93, 99.96],
    'request-duration': [112, 118, 121, 109, 115],
  },
  '6.1.7': {
    'request-success-rate': [97.2, 93.4, 88.1, 85.0, 80.2],
    'request-duration': [240, 310, 420, 480, 510],
  },
} as const;
