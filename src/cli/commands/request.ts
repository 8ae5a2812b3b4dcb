/** `gitcanary promote|abort|retry|pause|resume NAMESPACE/NAME`: a request the next run obeys. */
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
  const r = await requestOperation({
    repoDir: flags.repo,
    ...(git ? { git } : {}),
    id,
    action: name as Action,
    author: resolveAuthor(str(values, 'author'), flags.repo),
    ...(message ? { message } : {}),
    ...(mode ? { mode } : {}),
    ...(forge ? { forge } : {}),
    push: !noPush,
  });
  const how = r.pullRequest
    ? `pull request ${r.pullRequest} (${r.file}); the next run after its merge obeys it`
    : `commit ${r.commit} (${r.file}); the next run obeys it`;
  out(r.commit ? `${name} ${id}: ${how}` : 'no change');
  return 0;
}
