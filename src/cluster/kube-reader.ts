/**
 * The ClusterReader on `@kubernetes/client-node` (loaded only when a cluster is configured): its
 * KubeConfig finds the cluster, the credentials and the TLS settings (a kubeconfig file and
 * context, or the in-cluster ServiceAccount); the GET itself goes through Node's HTTP client so
 * every answer is bounded in size and time.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import {
  apiPath,
  ClusterError,
  type ClusterReader,
  externalMetricPath,
  type K8sJson,
  type ObjectRef,
} from './port.js';

export interface KubeOptions {
  /** A kubeconfig file; default: KUBECONFIG / ~/.kube/config, or in-cluster when running in a pod. */
  kubeconfig?: string;
  context?: string;
  /** Use the pod's ServiceAccount (token and CA under /var/run/secrets/kubernetes.io/serviceaccount). */
  inCluster?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
}

export async function openKubeReader(opts: KubeOptions = {}): Promise<ClusterReader> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterError('no cluster in the kubeconfig (or its current context)', false);
  const server = new URL(cluster.server);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 4 << 20;
  const what = (r: ObjectRef) => `${r.resource}${r.group ? `.${r.group}` : ''} ${r.namespace}/${r.name}`;

  const read = async (path: string, what: string): Promise<K8sJson | undefined> => {
    const options: RequestOptions = {
      method: 'GET',
      protocol: server.protocol,
      hostname: server.hostname,
      port: server.port,
      path: `${server.pathname.replace(/\/+$/, '')}${path}`,
      headers: { accept: 'application/json' },
    };
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (e) {
      throw new ClusterError(
        `cannot use the kubeconfig's credentials: ${(e as Error).message}`,
        false,
        undefined,
        { cause: e },
      );
    }
    const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = send(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(
              new ClusterError(`the API's answer for ${what} is larger than ${maxBytes} bytes`, false),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(new ClusterError(`no answer from the API within ${timeoutMs} ms for ${what}`, true)),
      );
      req.on('error', (e) =>
        reject(
          e instanceof ClusterError
            ? e
            : new ClusterError(
                `the API at ${server.host} is unreachable: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
                true,
                undefined,
                { cause: e },
              ),
        ),
      );
      req.end();
    });
    if (status === 200) {
      try {
        return JSON.parse(body) as K8sJson;
      } catch {
        throw new ClusterError(`the API's answer for ${what} is not JSON`, true, status);
      }
    }
    if (status === 404) return undefined;
    const reason = (() => {
      try {
        return String((JSON.parse(body) as { message?: string }).message ?? '').slice(0, 200);
      } catch {
        return '';
      }
    })();
    if (status === 401)
      throw new ClusterError(`the API refused the credentials (401) reading ${what}`, false, status);
    if (status === 403)
      throw new ClusterError(
        `forbidden (403): the role lacks get on ${what}${reason ? `: ${reason}` : ''}`,
        false,
        status,
      );
    if (status === 410) throw new ClusterError(`gone (410) reading ${what}`, true, status);
    throw new ClusterError(
      `the API answered ${status} reading ${what}${reason ? `: ${reason}` : ''}`,
      status >= 500 || status === 429,
      status,
    );
  };
  return {
    get: (ref) => read(apiPath(ref), what(ref)),
    externalMetric: (namespace, metricName, labelSelector) =>
      read(
        externalMetricPath(namespace, metricName, labelSelector),
        `external metric ${namespace}/${metricName}`,
      ),
  };
}
