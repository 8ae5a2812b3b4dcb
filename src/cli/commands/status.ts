/**
 * `gitcanary status [NAMESPACE/NAME] [-n NS | -A] [--fetch] [-o text|json|yaml|wide]`.
 * Says which commit it read: a line on stderr in text, `commit` in json and yaml.
 */
import { ConfigurationError } from '../../errors.js';
import { readCanaries } from '../canary-state.js';
import { formatStatusDetail, formatStatusTable, idOf, statusDetail, statusRow } from '../status.js';
import { stepPulls } from '../step-pulls.js';
import { checkout } from './checkout.js';
import { canaryId, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ values, positionals, out, err }: CommandContext): Promise<number> {
  const namespace = str(values, 'namespace');
  if (namespace && values['all-namespaces'] === true)
    throw new ConfigurationError('-n and -A cannot be used together');
  const one = positionals[0] === undefined ? undefined : canaryId(positionals[0]);
  if (one && namespace && !one.startsWith(`${namespace}/`))
    throw new ConfigurationError(`${one} is not in namespace ${namespace}`);
  const source = await checkout(values, values.fetch === true);
  const states = await readCanaries(source.dir);
  const format = str(values, 'output');
  const fresh = { commit: source.commit, fetched: source.fetched };
  const state = one ? states.find((s) => idOf(s.canary) === one) : undefined;
  if (one && !state) throw new ConfigurationError(`canary ${one} not found`);
  if (format === 'text' || format === 'wide') err(freshnessLine(fresh));
  const pulls = await stepPulls(values, source.dir, err);
  if (state) {
    const d = statusDetail(state, pulls.get(one!));
    await printResult(format, out, { ...fresh, canary: d }, () => formatStatusDetail(d));
    return d.error ? 1 : 0;
  }
  const rows = states
    .map((s) => statusRow(s, pulls.get(idOf(s.canary))))
    .filter((r) => !namespace || r.namespace === namespace);
  await printResult(format, out, { ...fresh, canaries: rows }, () =>
    formatStatusTable(rows, format === 'wide'),
  );
  return rows.some((r) => r.error) ? 1 : 0;
}

function freshnessLine(f: { commit: string | null; fetched: boolean }): string {
  if (!f.commit) return 'status read from the files (not at a git commit)';
  const how = f.fetched ? 'fetched just now' : 'local checkout; --fetch reads the remote first';
  return `status at commit ${f.commit.slice(0, 12)} (${how})`;
}
