/**
 * `gitcanary wait NAMESPACE/NAME --for PHASE --timeout D --interval D`: polls the repository
 * (fetching each time) until the rollout of the source revision read at start reaches PHASE.
 * Only a status about that revision counts (`lastAppliedSpec` / `lastPromotedSpec`), never an
 * earlier revision's Succeeded. A transient failure of a poll (network, a busy remote) is reported
 * and the next poll tried. Progress goes to stderr, the result to stdout.
 */
import type { CanaryStatus } from '../../core/types.js';
import { phases } from '../../core/types.js';
import { ConfigurationError, TransientError } from '../../errors.js';
import { type CanaryState, idOf, readCanaries } from '../canary-state.js';
import { durationFlag, formatDuration } from '../duration.js';
import { oneLine } from '../failure.js';
import { checkout } from './checkout.js';
import { canaryId, printResult, str } from './common.js';
import type { CommandContext, FlagValues } from './context.js';

type Judgement = 'reached' | 'failed' | 'passed' | 'waiting';

/**
 * Where the rollout of `revision` stands against the wanted phase. Pure.
 * - `reached`: the status is about `revision` and in the wanted phase (for Succeeded: the
 *   revision is promoted, also by a first rollout's Initialized);
 * - `failed`: `revision` was rolled back (unless Failed is wanted);
 * - `passed`: `revision` is promoted, so a phase before promotion can no longer come;
 * - `waiting`: anything else, including any status about an earlier revision.
 */
export function judge(status: CanaryStatus | undefined, revision: string, want: string): Judgement {
  if (!status) return 'waiting';
  const applied = status.lastAppliedSpec === revision;
  const promoted =
    status.lastPromotedSpec === revision &&
    (status.phase === 'Succeeded' ||
      status.phase === 'Initialized' ||
      (status.phase === 'Failed' && !applied));
  if (status.phase === 'Failed' && applied) return want === 'Failed' ? 'reached' : 'failed';
  if (want === 'Succeeded') return promoted ? 'reached' : 'waiting';
  if (applied && status.phase === want) return 'reached';
  return promoted ? 'passed' : 'waiting';
}

function durations(values: FlagValues): { timeout: number; interval: number } {
  const timeout = durationFlag('--timeout', str(values, 'timeout') ?? '30m');
  const interval = durationFlag('--interval', str(values, 'interval') ?? '10s');
  if (typeof timeout === 'string') throw new ConfigurationError(timeout);
  if (typeof interval === 'string') throw new ConfigurationError(interval);
  if (interval <= 0) throw new ConfigurationError('--interval must be more than 0');
  return { timeout, interval };
}

async function poll(
  values: FlagValues,
  id: string,
  fetch = true,
): Promise<{ state: CanaryState; commit: string | null }> {
  const co = await checkout(values, fetch);
  const state = (await readCanaries(co.dir)).find((s) => idOf(s.canary) === id);
  if (!state) throw new ConfigurationError(`canary ${id} not found`);
  if (state.sourceError) throw new ConfigurationError(state.sourceError);
  if (state.error) throw new ConfigurationError(state.error);
  return { state, commit: co.commit };
}

export async function run({ values, positionals, out, err }: CommandContext): Promise<number> {
  const id = canaryId(positionals[0]);
  const want = str(values, 'for') ?? 'Succeeded';
  if (!(phases as readonly string[]).includes(want))
    throw new ConfigurationError(`--for must be a phase (${phases.join(', ')}), got ${want}`);
  const { timeout, interval } = durations(values);
  const started = Date.now();
  const warn = (e: unknown) => {
    // A network blip or a busy remote: say so and poll again; anything else ends the wait.
    if (!(e instanceof TransientError)) throw e;
    err(`warning: ${id}: ${oneLine(e.message)}; polling again`);
  };
  // The revision is the source's as fetched, or as checked out when the remote cannot be reached.
  const first = await poll(values, id).catch(async (e) => {
    warn(e);
    return await poll(values, id, false);
  });
  const revision = first.state.revision!;
  err(`waiting for ${id} revision ${revision} to reach ${want} (timeout ${formatDuration(timeout)})`);
  let last = '';
  for (let seen = first; ; ) {
    const { status, revision: now } = seen.state;
    const report = {
      canary: id,
      revision,
      phase: status?.phase ?? 'New',
      canaryWeight: status?.canaryWeight ?? 0,
      commit: seen.commit,
      waitedSeconds: Math.round((Date.now() - started) / 1000),
    };
    // Success prints on stdout; a failure on stderr (and, with -o json|yaml, as data on stdout).
    const finish = async (code: 0 | 1, result: string): Promise<0 | 1> => {
      const format = str(values, 'output');
      if (code === 0 || format !== 'text')
        await printResult(format, out, { ...report, result }, () => `${id}: ${result}`);
      if (code === 1) err(`error: ${id}: ${result}`);
      return code;
    };
    if (now !== revision) return await finish(1, `revision ${revision} was replaced by ${now} in the source`);
    const line = `${report.phase} weight ${report.canaryWeight} (status about ${status?.lastAppliedSpec || 'no revision'}, commit ${seen.commit?.slice(0, 7) ?? '-'})`;
    if (line !== last) err(`${id}: ${line}`);
    last = line;
    const j = judge(status, revision, want);
    if (j === 'reached')
      return await finish(
        0,
        `revision ${revision} reached ${want} at commit ${seen.commit?.slice(0, 12) ?? '-'}`,
      );
    if (j === 'failed') {
      const why = status?.history.at(-1)?.message ?? '';
      return await finish(1, `revision ${revision} Failed (rolled back)${why ? `: ${why}` : ''}`);
    }
    if (j === 'passed') return await finish(1, `revision ${revision} was promoted without reaching ${want}`);
    const left = started + timeout - Date.now();
    if (left <= 0)
      return await finish(
        1,
        `timed out after ${formatDuration(timeout)} waiting for ${want}; now ${report.phase}`,
      );
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
    try {
      seen = await poll(values, id);
    } catch (e) {
      warn(e);
    }
  }
}
