/**
 * REST routes for the repository, pull requests, issue comments and commit statuses.
 */
import { mergeability, mergePullRequest, runAutoMerges } from './pulls.js';
import { type Call, error, invalid, notFound, page, type Reply, type Route, route, str } from './routes.js';
import { commentJson, pullJson, repoJson, statusJson } from './shapes.js';
import { type MergeMethod, nodeId, type PullRecord, type StatusRecord } from './state.js';

const R = '/repos/{owner}/{repo}';

function fullPull(c: Call, pr: PullRecord): Reply['body'] {
  const m = mergeability(c.st, c.repo, pr);
  return pullJson(c.u, c.st, pr, {
    mergeable: m.mergeable,
    mergeableState: m.state,
    ...c.repo.bare.pullStats(pr.baseSha, pr.headSha),
  });
}

/** The PR named by the path, refreshed against its branches. */
function pullOf(c: Call): PullRecord | undefined {
  const pr = c.st.pull(c.repo.owner, c.repo.name, Number(c.params.pull_number ?? c.params.issue_number));
  if (pr) c.st.refresh(pr, c.repo.bare.branches());
  return pr;
}

function listPulls(c: Call): Reply {
  const { st, repo, query: q } = c;
  const state = q.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state))
    return invalid({ resource: 'Issue', field: 'state', code: 'invalid' });
  const sort = q.get('sort') ?? 'created';
  const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
  const head = q.get('head');
  const [headOwner, headBranch] = head?.includes(':') ? head.split(/:(.*)/s) : [head, undefined];
  const branches = repo.bare.branches();
  const key = (p: PullRecord): string => (sort === 'updated' ? p.updatedAt : p.createdAt);
  const sign = direction === 'asc' ? 1 : -1;
  const found = st.pulls
    .filter((p) => p.owner === repo.owner && p.repo === repo.name)
    .map((p) => {
      st.refresh(p, branches);
      return p;
    })
    .filter((p) => state === 'all' || p.state === state)
    .filter((p) => !head || (headOwner === p.owner && (headBranch === undefined || headBranch === p.head)))
    .filter((p) => !q.get('base') || q.get('base') === p.base)
    .sort((a, b) => sign * (key(a).localeCompare(key(b)) || a.number - b.number));
  return page(
    c,
    found.map((p) => pullJson(c.u, st, p)),
  );
}

function createPull(c: Call): Reply {
  const { st, repo, body } = c;
  const title = str(body.title);
  const headArg = str(body.head) ?? '';
  const head = headArg.includes(':') ? headArg.slice(headArg.indexOf(':') + 1) : headArg;
  const base = str(body.base) ?? '';
  if (!title) return invalid({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
  const headSha = repo.bare.head(head);
  const baseSha = repo.bare.head(base);
  if (!headSha) return invalid({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  if (!baseSha) return invalid({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  const branches = repo.bare.branches();
  const open = st.pulls.find((p) => {
    if (p.owner !== repo.owner || p.repo !== repo.name || p.head !== head || p.base !== base) return false;
    st.refresh(p, branches);
    return p.state === 'open';
  });
  const custom = (message: string): Reply => invalid({ resource: 'PullRequest', code: 'custom', message });
  if (open) return custom(`A pull request already exists for ${repo.owner}:${head}.`);
  if (repo.bare.commitsBetween(baseSha, headSha).length === 0)
    return custom(`No commits between ${base} and ${head}`);
  const now = st.timestamp();
  const id = st.id();
  const pr: PullRecord = {
    id,
    nodeId: nodeId('PR', id),
    owner: repo.owner,
    repo: repo.name,
    number: repo.nextNumber++,
    title,
    body: str(body.body) ?? null,
    state: 'open',
    draft: body.draft === true,
    merged: false,
    head,
    base,
    headSha,
    baseSha,
    user: st.viewer.login,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
    autoMerge: null,
  };
  st.pulls.push(pr);
  return { status: 201, body: fullPull(c, pr), headers: { location: `${c.u.api}${R}/pulls/${pr.number}` } };
}

function updatePull(c: Call): Reply {
  const pr = pullOf(c);
  if (!pr) return notFound();
  const { body, st } = c;
  const state = str(body.state);
  if (state === 'open' && pr.state === 'closed') {
    if (pr.merged) return invalid({ resource: 'PullRequest', field: 'state', code: 'invalid' });
    const head = c.repo.bare.head(pr.head);
    if (!head) return invalid({ resource: 'PullRequest', field: 'state', code: 'invalid' });
    Object.assign(pr, { state: 'open', closedAt: null, headSha: head });
  } else if (state === 'closed' && pr.state === 'open') {
    Object.assign(pr, { state: 'closed', closedAt: st.timestamp(), autoMerge: null });
  }
  if (str(body.title) !== undefined) pr.title = str(body.title)!;
  if (str(body.body) !== undefined) pr.body = str(body.body)!;
  const base = str(body.base);
  if (base !== undefined) {
    const sha = c.repo.bare.head(base);
    if (!sha) return invalid({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    Object.assign(pr, { base, baseSha: sha });
  }
  pr.updatedAt = st.timestamp();
  return { status: 200, body: fullPull(c, pr) };
}

function merge(c: Call): Reply {
  const pr = pullOf(c);
  if (!pr) return notFound();
  const method = (str(c.body.merge_method) ?? 'merge') as MergeMethod;
  const out = mergePullRequest(c.st, c.repo, pr, method, {
    sha: str(c.body.sha),
    title: str(c.body.commit_title),
    message: str(c.body.commit_message),
    by: c.st.viewer.login,
  });
  if (!out.ok) return error(out.status, out.message);
  runAutoMerges(c.st, c.repo);
  return { status: 200, body: { sha: out.sha, merged: true, message: 'Pull Request successfully merged' } };
}

function comments(c: Call): Reply {
  const { st, repo } = c;
  const number = Number(c.params.issue_number);
  const pr = pullOf(c);
  if (!pr) return notFound();
  const body = str(c.body.body);
  if (!body) return invalid({ resource: 'IssueComment', field: 'body', code: 'missing_field' });
  const now = st.timestamp();
  const id = st.id();
  const record = { id, nodeId: nodeId('IC', id), owner: repo.owner, repo: repo.name, issueNumber: number };
  const comment = { ...record, body, user: st.viewer.login, createdAt: now, updatedAt: now };
  st.comments.push(comment);
  pr.updatedAt = now;
  return { status: 201, body: commentJson(c.u, st, comment) };
}

function createStatus(c: Call): Reply {
  const { st, repo, body } = c;
  const sha = c.params.sha ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha) || !repo.bare.resolveCommit(sha)) {
    return invalid({
      resource: 'Status',
      field: 'sha',
      code: 'custom',
      message: `No commit found for SHA: ${sha}`,
    });
  }
  const state = str(body.state);
  if (!state || !['error', 'failure', 'pending', 'success'].includes(state)) {
    return invalid({
      resource: 'Status',
      field: 'state',
      code: 'custom',
      message: 'state is not included in the list',
    });
  }
  const description = str(body.description) ?? null;
  if (description && description.length > 140) {
    const message = 'description is too long (maximum is 140 characters)';
    return invalid({ resource: 'Status', field: 'description', code: 'custom', message });
  }
  const now = st.timestamp();
  const id = st.id();
  const status: StatusRecord = {
    id,
    nodeId: nodeId('SC', id),
    owner: repo.owner,
    repo: repo.name,
    sha,
    state: state as StatusRecord['state'],
    context: str(body.context) ?? 'default',
    description,
    targetUrl: str(body.target_url) ?? null,
    creator: st.viewer.login,
    createdAt: now,
    updatedAt: now,
  };
  st.statuses.push(status);
  runAutoMerges(st, repo);
  return { status: 201, body: statusJson(c.u, st, status) };
}

function combinedStatus(c: Call): Reply {
  const { st, repo } = c;
  const sha = repo.bare.resolveCommit(c.params.ref ?? '');
  if (!sha) return notFound();
  const latest = st.latestStatuses(repo.owner, repo.name, sha);
  const states = new Set(latest.map((s) => s.state));
  const state =
    states.has('error') || states.has('failure')
      ? 'failure'
      : states.has('pending') || latest.length === 0
        ? 'pending'
        : 'success';
  const repoJ = repoJson(c.u, st, repo);
  const url = `${c.u.api}/repos/${repo.owner}/${repo.name}`;
  return {
    status: 200,
    body: {
      state,
      sha,
      total_count: latest.length,
      statuses: latest.map((s) => statusJson(c.u, st, s, false)),
      repository: repoJ,
      commit_url: `${url}/commits/${sha}`,
      url: `${url}/commits/${sha}/status`,
    },
  };
}

export const pullRoutes: Route[] = [
  route('GET', R, (c) => ({ status: 200, body: repoJson(c.u, c.st, c.repo, true) })),
  route('GET', `${R}/pulls`, listPulls),
  route('POST', `${R}/pulls`, createPull),
  route('GET', `${R}/pulls/{pull_number}`, (c) => {
    const pr = pullOf(c);
    return pr ? { status: 200, body: fullPull(c, pr) } : notFound();
  }),
  route('PATCH', `${R}/pulls/{pull_number}`, updatePull),
  route('PUT', `${R}/pulls/{pull_number}/merge`, merge),
  route('POST', `${R}/issues/{issue_number}/comments`, comments),
  route('POST', `${R}/statuses/{sha}`, createStatus),
  route('GET', `${R}/commits/{ref}/status`, combinedStatus),
];
