/** `gitcanary promote|abort|retry|pause|resume|approve NAMESPACE/NAME`: a request the next run obeys. */
import { parseGate } from '../../core/approvals.js';
import { gateTypes } from '../../core/gates.js';
import { ConfigurationError } from '../../errors.js';
import { requestOperation } from '../../reconcile/manual.js';
import { githubAccess } from '../forge.js';
import { resolveAuthor } from '../identity.js';
import { accessFlags, canaryId, parseMode, str } from './common.js';
import type { CommandContext } from './context.js';

type Action = Parameters<typeof requestOperation>[0]['action'];

export async function run({ name, values, positionals, out }: CommandContext): Promise<number> {
  const flags = accessFlags(values);
  const noPush = values['no-push'] === true;
  const { forge, git } = await githubAccess(flags, { noPush });
  const id = canaryId(positionals[0]);
  const mode = parseMode(str(values, 'mode'));
  const message = str(values, 'message');
  const gateFlag = str(values, 'gate');
  const gate = gateFlag === undefined ? undefined : parseGate(gateFlag);
  if (gateFlag !== undefined && !gate)
    throw new ConfigurationError(
      `--gate: ${JSON.stringify(gateFlag)} is not a gate; use ${gateTypes.join(', ')}`,
    );
  const r = await requestOperation({
    repoDir: flags.repo,
    ...(git ? { git } : {}),
    id,
    action: name as Action,
    author: resolveAuthor(str(values, 'author'), flags.repo),
    ...(message ? { message } : {}),
    ...(mode ? { mode } : {}),
    ...(forge ? { forge } : {}),
    ...(gate ? { gate } : {}),
    push: !noPush,
  });
  const how = r.pullRequest
    ? `pull request ${r.pullRequest} (${r.file}); the next run after its merge obeys it`
    : `commit ${r.commit} (${r.file}); the next run obeys it`;
  out(r.commit ? `${name}${r.gate ? ` ${r.gate}` : ''} ${id}: ${how}` : 'no change');
  return 0;
}
