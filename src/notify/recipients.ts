/**
 * Who receives a canary's messages: its alert entries resolved to AlertProviders (or the
 * operator's fallback from gitcanary.yaml when it lists none), and its `event` webhooks. An
 * address comes from the provider's `spec.address` or its secret's `address` key, read in the
 * provider's namespace and sent only where the egress policy lets that secret go.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { egressPolicy, type RepoConfig } from '../inputs/config.js';
import type { LoadedCanary, Located } from '../inputs/model.js';
import type { AlertProvider, WebhookSpec } from '../inputs/schema.js';
import { secretEnvPrefix } from '../metrics/auth.js';
import { decideEgress } from '../net/egress.js';
import { type AlertTarget, providerDefaults, receives, type Severity } from './alerts.js';

/** One alert recipient: what it accepts and, when it can be reached, where. */
export interface AlertRecipient {
  /** `alert <entry> (provider <ns>/<name>)`, or `fallback alert (gitcanary.yaml)`: for logs, never the URL. */
  label: string;
  accepts(severity: Severity): boolean;
  /** The resolved target, or why nothing is sent to it. */
  resolve(env: NodeJS.ProcessEnv): { target: AlertTarget } | { problem: string };
}

type ProviderSpec = Pick<AlertProvider['spec'], 'type' | 'address' | 'channel' | 'username' | 'proxy'>;

/** The canary's alert recipients: its `alerts` entries, or the fallback when it lists none. */
export function alertRecipients(
  c: LoadedCanary,
  providers: readonly Located<AlertProvider>[],
  config: RepoConfig,
): AlertRecipient[] {
  const a = c.canary.spec.analysis ?? c.canary.spec.canaryAnalysis;
  const entries = a?.alerts ?? [];
  if (entries.length === 0) {
    const f = config.alerts.fallback;
    if (!f) return [];
    const secret = f.secretRef;
    return [
      {
        label: 'fallback alert (gitcanary.yaml alerts.fallback)',
        accepts: () => true,
        resolve: (env) => target(config, 'gitcanary.yaml', f, 'operator', secret, env),
      },
    ];
  }
  return entries.map((e) => {
    const ns = e.providerRef.namespace ?? c.ref.namespace;
    const ref = `${ns}/${e.providerRef.name}`;
    const label = `alert ${e.name} (provider ${ref})`;
    const found = providers.find(
      (p) => p.value.metadata.name === e.providerRef.name && (p.value.metadata.namespace ?? 'default') === ns,
    );
    return {
      label,
      accepts: (s: Severity) => receives(e.severity, s),
      resolve: (env) => {
        if (!found) return { problem: `AlertProvider ${ref} not found in the repository` };
        const sr = found.value.spec.secretRef;
        return target(
          config,
          ref,
          found.value.spec,
          'spec',
          sr ? { namespace: ns, name: sr.name } : undefined,
          env,
        );
      },
    };
  });
}

function target(
  config: RepoConfig,
  ref: string,
  spec: ProviderSpec,
  from: 'spec' | 'operator',
  secret: { namespace: string; name: string } | undefined,
  env: NodeJS.ProcessEnv,
): { target: AlertTarget } | { problem: string } {
  const address = secret ? secretAddress(secret, config, env) : spec.address;
  if (typeof address === 'object') return address;
  if (!address) return { problem: `provider ${ref} has no address` };
  if (spec.proxy) return { problem: `provider ${ref}: proxy is not supported by gitcanary yet; not sent` };
  const decided = decideEgress(egressPolicy(config), {
    url: address,
    from,
    ...(secret ? { secret } : {}),
  });
  if (!decided.allowed) return { problem: `provider ${ref}: the egress policy refuses its address` };
  // The address is the secret: where the policy would not send the secret, nothing is sent.
  if (secret && from === 'spec' && decided.credential !== 'secret')
    return {
      problem: `provider ${ref}: secret ${secret.namespace}/${secret.name} may not go to its address (egress.secrets.urls)`,
    };
  return {
    target: {
      ref,
      type: spec.type,
      address,
      username: spec.username ?? providerDefaults.username,
      channel: spec.channel ?? providerDefaults.channel,
    },
  };
}

/**
 * A secret's `address` key, in its namespace: `<GITCANARY_SECRETS_DIR>/<namespace>/<name>/address`
 * (the `flat` layout: `<dir>/<name>/address`), else env `GITCANARY_SECRET_<NS>__<NAME>_ADDRESS`.
 */
export function secretAddress(
  ref: { namespace: string; name: string },
  config: RepoConfig,
  env: NodeJS.ProcessEnv,
): string | { problem: string } {
  for (const part of [ref.namespace, ref.name])
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || part.includes('..'))
      return { problem: `secret name "${part}" is not a valid Kubernetes name` };
  const layout = config.egress.secrets.layout;
  const dir = env.GITCANARY_SECRETS_DIR;
  if (dir) {
    const file =
      layout === 'flat' ? join(dir, ref.name, 'address') : join(dir, ref.namespace, ref.name, 'address');
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      // Not mounted: the environment may have it.
    }
  }
  const name = `${secretEnvPrefix(ref, layout)}ADDRESS`;
  const value = env[name];
  if (value) return value;
  return {
    problem: `secret ${ref.namespace}/${ref.name} has no address key (no file under GITCANARY_SECRETS_DIR, no env ${name})`,
  };
}

/** The canary's `event` webhooks. */
export function eventHooks(c: LoadedCanary): WebhookSpec[] {
  const a = c.canary.spec.analysis ?? c.canary.spec.canaryAnalysis;
  return (a?.webhooks ?? []).filter((h) => h.type === 'event');
}
