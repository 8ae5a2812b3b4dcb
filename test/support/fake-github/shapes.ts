/**
 * JSON bodies as GitHub's REST API returns them: every field the OpenAPI description marks
 * required (and a few common optional ones), with URLs pointing back at the fake.
 */
import type { CommitInfo, FileDiff } from './bare-repo.js';
import type { CommentRecord, FakeState, PullRecord, RepoRecord, StatusRecord } from './state.js';
import { nodeId } from './state.js';

export interface Urls {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** `${base}/api/v3` */
  api: string;
}

type Json = Record<string, unknown>;

export function userJson(u: Urls, st: FakeState, login: string): Json {
  const id = st.userId(login);
  const url = `${u.api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId('U', id),
    avatar_url: `${u.base}/avatars/u/${id}`,
    gravatar_id: '',
    url,
    html_url: `${u.base}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login === st.viewer.login ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

const repoUrlKeys = [
  ['archive_url', '/{archive_format}{/ref}'],
  ['assignees_url', '/assignees{/user}'],
  ['blobs_url', '/git/blobs{/sha}'],
  ['branches_url', '/branches{/branch}'],
  ['collaborators_url', '/collaborators{/collaborator}'],
  ['comments_url', '/comments{/number}'],
  ['commits_url', '/commits{/sha}'],
  ['compare_url', '/compare/{base}...{head}'],
  ['contents_url', '/contents/{+path}'],
  ['contributors_url', '/contributors'],
  ['deployments_url', '/deployments'],
  ['downloads_url', '/downloads'],
  ['events_url', '/events'],
  ['forks_url', '/forks'],
  ['git_commits_url', '/git/commits{/sha}'],
  ['git_refs_url', '/git/refs{/sha}'],
  ['git_tags_url', '/git/tags{/sha}'],
  ['hooks_url', '/hooks'],
  ['issue_comment_url', '/issues/comments{/number}'],
  ['issue_events_url', '/issues/events{/number}'],
  ['issues_url', '/issues{/number}'],
  ['keys_url', '/keys{/key_id}'],
  ['labels_url', '/labels{/name}'],
  ['languages_url', '/languages'],
  ['merges_url', '/merges'],
  ['milestones_url', '/milestones{/number}'],
  ['notifications_url', '/notifications{?since,all,participating}'],
  ['pulls_url', '/pulls{/number}'],
  ['releases_url', '/releases{/id}'],
  ['stargazers_url', '/stargazers'],
  ['statuses_url', '/statuses/{sha}'],
  ['subscribers_url', '/subscribers'],
  ['subscription_url', '/subscription'],
  ['tags_url', '/tags'],
  ['teams_url', '/teams'],
  ['trees_url', '/git/trees{/sha}'],
] as const;

/** `repository` (PR head/base), or `full-repository` with `full`. */
export function repoJson(u: Urls, st: FakeState, r: RepoRecord, full = false): Json {
  const full_name = `${r.owner}/${r.name}`;
  const url = `${u.api}/repos/${full_name}`;
  const openPulls = st.pulls.filter(
    (p) => p.owner === r.owner && p.repo === r.name && p.state === 'open',
  ).length;
  const json: Json = {
    id: r.id,
    node_id: r.nodeId,
    name: r.name,
    full_name,
    owner: userJson(u, st, r.owner),
    private: false,
    html_url: `${u.base}/${full_name}`,
    description: null,
    fork: false,
    url,
    ...Object.fromEntries(repoUrlKeys.map(([key, suffix]) => [key, `${url}${suffix}`])),
    git_url: `git://127.0.0.1/${full_name}.git`,
    ssh_url: `git@127.0.0.1:${full_name}.git`,
    clone_url: `${u.base}/${full_name}.git`,
    svn_url: `${u.base}/${full_name}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues: openPulls,
    open_issues_count: openPulls,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'public',
    license: null,
    pushed_at: r.createdAt,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: true,
    delete_branch_on_merge: false,
  };
  if (full) Object.assign(json, { network_count: 0, subscribers_count: 0 });
  return json;
}

/** `pull-request-simple` (lists), or `pull-request` with `full` (mergeability computed by the caller). */
export function pullJson(
  u: Urls,
  st: FakeState,
  pr: PullRecord,
  full?: {
    mergeable: boolean | null;
    mergeableState: string;
    commits: number;
    additions: number;
    deletions: number;
    files: number;
  },
): Json {
  const r = st.repo(pr.owner, pr.repo)!;
  const repoUrl = `${u.api}/repos/${pr.owner}/${pr.repo}`;
  const url = `${repoUrl}/pulls/${pr.number}`;
  const html = `${u.base}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  const issue = `${repoUrl}/issues/${pr.number}`;
  const side = (ref: string, sha: string): Json => ({
    label: `${pr.owner}:${ref}`,
    ref,
    sha,
    user: userJson(u, st, pr.owner),
    repo: repoJson(u, st, r),
  });
  const json: Json = {
    url,
    id: pr.id,
    node_id: pr.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${repoUrl}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userJson(u, st, pr.user),
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.head, pr.headSha),
    base: side(pr.base, pr.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repoUrl}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${repoUrl}/statuses/${pr.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: pr.autoMerge
      ? {
          enabled_by: userJson(u, st, pr.autoMerge.enabledBy),
          merge_method: pr.autoMerge.method,
          commit_title: `${pr.title} (#${pr.number})`,
          commit_message: '',
        }
      : null,
    draft: pr.draft,
  };
  if (!full) return json;
  const comments = st.comments.filter(
    (c) => c.owner === pr.owner && c.repo === pr.repo && c.issueNumber === pr.number,
  );
  return Object.assign(json, {
    merged: pr.merged,
    mergeable: full.mergeable,
    rebaseable: full.mergeable,
    mergeable_state: full.mergeableState,
    merged_by: pr.mergedBy ? userJson(u, st, pr.mergedBy) : null,
    comments: comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: full.commits,
    additions: full.additions,
    deletions: full.deletions,
    changed_files: full.files,
  });
}

export function commentJson(u: Urls, st: FakeState, c: CommentRecord): Json {
  const repoUrl = `${u.api}/repos/${c.owner}/${c.repo}`;
  return {
    id: c.id,
    node_id: c.nodeId,
    url: `${repoUrl}/issues/comments/${c.id}`,
    html_url: `${u.base}/${c.owner}/${c.repo}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: userJson(u, st, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${repoUrl}/issues/${c.issueNumber}`,
    author_association: 'MEMBER',
  };
}

export function statusJson(u: Urls, st: FakeState, s: StatusRecord, withCreator = true): Json {
  const json: Json = {
    url: `${u.api}/repos/${s.owner}/${s.repo}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: s.nodeId,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
  if (withCreator) json.creator = userJson(u, st, s.creator);
  return json;
}

export function gitRefJson(u: Urls, r: RepoRecord, branch: string, sha: string): Json {
  const repoUrl = `${u.api}/repos/${r.owner}/${r.name}`;
  return {
    ref: `refs/heads/${branch}`,
    node_id: `REF_${Buffer.from(`${r.id}:${branch}`).toString('base64url')}`,
    url: `${repoUrl}/git/refs/heads/${branch}`,
    object: { type: 'commit', sha, url: `${repoUrl}/git/commits/${sha}` },
  };
}

export function commitJson(u: Urls, st: FakeState, r: RepoRecord, c: CommitInfo, files?: FileDiff[]): Json {
  const repoUrl = `${u.api}/repos/${r.owner}/${r.name}`;
  const html = `${u.base}/${r.owner}/${r.name}/commit/${c.sha}`;
  const account = (email: string): Json | null =>
    email === st.viewerEmail() ? userJson(u, st, st.viewer.login) : null;
  const verified = st.verified.has(c.sha);
  const json: Json = {
    url: `${repoUrl}/commits/${c.sha}`,
    sha: c.sha,
    node_id: `C_${Buffer.from(c.sha, 'hex').toString('base64url')}`,
    html_url: html,
    comments_url: `${repoUrl}/commits/${c.sha}/comments`,
    commit: {
      url: `${repoUrl}/git/commits/${c.sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message.replace(/\n$/, ''),
      comment_count: 0,
      tree: { sha: c.tree, url: `${repoUrl}/git/trees/${c.tree}` },
      verification: {
        verified,
        reason: verified ? 'valid' : 'unsigned',
        signature: verified ? '-----BEGIN PGP SIGNATURE-----\n\nfake\n-----END PGP SIGNATURE-----\n' : null,
        payload: verified ? `tree ${c.tree}\n` : null,
        verified_at: verified ? c.committer.date : null,
      },
    },
    author: account(c.author.email),
    committer:
      c.committer.email === 'noreply@github.com' ? userJson(u, st, 'web-flow') : account(c.committer.email),
    parents: c.parents.map((sha) => ({
      sha,
      url: `${repoUrl}/commits/${sha}`,
      html_url: `${u.base}/commit/${sha}`,
    })),
  };
  if (!files) return json;
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  json.stats = { total: additions + deletions, additions, deletions };
  json.files = files.map((f) => ({
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${u.base}/${r.owner}/${r.name}/blob/${c.sha}/${f.filename}`,
    raw_url: `${u.base}/${r.owner}/${r.name}/raw/${c.sha}/${f.filename}`,
    contents_url: `${repoUrl}/contents/${f.filename}?ref=${c.sha}`,
  }));
  return json;
}
