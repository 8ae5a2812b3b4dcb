/**
 * REST routes over the git data of the bare repos: branch refs (create, move, delete, each a
 * compare-and-swap), trees, blobs and commits.
 */
import {
  type Call,
  error,
  linkHeader,
  notFound,
  paging,
  type Reply,
  type Route,
  route,
  str,
} from './routes.js';
import { commitJson, gitRefJson } from './shapes.js';

const R = '/repos/{owner}/{repo}';
const empty = (): Reply => error(409, 'Git Repository is empty.');

/** `heads/<branch>` → branch (other namespaces are not served). */
const branchOf = (ref: string): string | null =>
  ref.startsWith('heads/') && ref.length > 6 ? ref.slice(6) : null;

function getRef(c: Call): Reply {
  const branch = branchOf(c.params.ref ?? '');
  const sha = branch ? c.repo.bare.head(branch) : null;
  if (c.repo.bare.isEmpty()) return empty();
  return branch && sha ? { status: 200, body: gitRefJson(c.u, c.repo, branch, sha) } : notFound();
}

function createRef(c: Call): Reply {
  const ref = str(c.body.ref) ?? '';
  const sha = str(c.body.sha) ?? '';
  if (!/^refs\/[^/]+\/.+/.test(ref))
    return error(422, "Reference name must start with 'refs/' and have at least two slashes.");
  const branch = branchOf(ref.slice(5));
  if (!branch) return error(422, 'Only branch refs are supported by this fake');
  if (c.repo.bare.objectType(sha) !== 'commit') return error(422, 'Object does not exist');
  if (!c.repo.bare.casRef(branch, sha, null)) return error(422, 'Reference already exists');
  return {
    status: 201,
    body: gitRefJson(c.u, c.repo, branch, sha),
    headers: { location: `${c.u.api}/repos/${c.repo.owner}/${c.repo.name}/git/${ref}` },
  };
}

function updateRef(c: Call): Reply {
  const branch = branchOf(c.params.ref ?? '');
  const { bare } = c.repo;
  const old = branch ? bare.head(branch) : null;
  if (!branch || !old) return error(422, 'Reference does not exist');
  const sha = str(c.body.sha) ?? '';
  if (bare.objectType(sha) !== 'commit') return error(422, 'Object does not exist');
  if (c.repo.protections.has(branch))
    return error(422, `Protected branch update failed for refs/heads/${branch}.`);
  if (c.body.force !== true && !bare.isAncestor(old, sha)) return error(422, 'Update is not a fast forward');
  if (!bare.casRef(branch, sha, old)) return error(422, 'Reference cannot be updated');
  return { status: 200, body: gitRefJson(c.u, c.repo, branch, sha) };
}

function deleteRef(c: Call): Reply {
  const branch = branchOf(c.params.ref ?? '');
  const old = branch ? c.repo.bare.head(branch) : null;
  if (!branch || !old) return error(422, 'Reference does not exist');
  if (branch === c.repo.defaultBranch || c.repo.protections.has(branch)) {
    return error(422, `Cannot delete protected or default branch refs/heads/${branch}.`);
  }
  if (!c.repo.bare.casRef(branch, null, old)) return error(422, 'Reference cannot be updated');
  // Open PRs from this branch close on their next read, as GitHub closes them.
  return { status: 204 };
}

function getTree(c: Call): Reply {
  const { bare } = c.repo;
  if (bare.isEmpty()) return empty();
  const treeish = c.params.tree_sha ?? '';
  if (treeish.startsWith('-') || !bare.objectType(bare.resolveCommit(treeish) ?? treeish)) return notFound();
  const recursive = !!c.query.get('recursive') && c.query.get('recursive') !== '0';
  let tree: ReturnType<typeof bare.tree>;
  try {
    tree = bare.tree(bare.resolveCommit(treeish) ?? treeish, recursive);
  } catch {
    return notFound();
  }
  const repoUrl = `${c.u.api}/repos/${c.repo.owner}/${c.repo.name}`;
  const items = tree.items.map((i) => ({
    path: i.path,
    mode: i.mode,
    type: i.type,
    sha: i.sha,
    ...(i.size === undefined ? {} : { size: i.size }),
    url: `${repoUrl}/git/${i.type === 'tree' ? 'trees' : 'blobs'}/${i.sha}`,
  }));
  return {
    status: 200,
    body: { sha: tree.sha, url: `${repoUrl}/git/trees/${tree.sha}`, tree: items, truncated: false },
  };
}

function getBlob(c: Call): Reply {
  const sha = c.params.file_sha ?? '';
  const { bare } = c.repo;
  if (bare.objectType(sha) !== 'blob') return notFound();
  const full = bare.git(['rev-parse', sha]).trim();
  const content = bare.blob(full);
  const base64 = (content.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
  return {
    status: 200,
    body: {
      sha: full,
      node_id: `B_${Buffer.from(full, 'hex').toString('base64url')}`,
      size: content.length,
      url: `${c.u.api}/repos/${c.repo.owner}/${c.repo.name}/git/blobs/${full}`,
      content: base64 ? `${base64}\n` : '',
      encoding: 'base64',
    },
  };
}

function listCommits(c: Call): Reply {
  const { bare } = c.repo;
  if (bare.isEmpty()) return empty();
  const rev = c.query.get('sha') ?? c.repo.defaultBranch;
  const sha = bare.resolveCommit(rev);
  if (!sha) return notFound();
  const { perPage, current } = paging(c);
  const path = c.query.get('path') ?? undefined;
  // One extra commit tells whether a next page exists (GitHub's Link has no rel="last" here).
  const shas = bare.log(sha, { path, skip: (current - 1) * perPage, max: perPage + 1 });
  return {
    status: 200,
    body: bare.commits(shas.slice(0, perPage)).map((info) => commitJson(c.u, c.st, c.repo, info)),
    headers: linkHeader(c, shas.length > perPage),
  };
}

function getCommit(c: Call): Reply {
  const { bare } = c.repo;
  if (bare.isEmpty()) return empty();
  const sha = bare.resolveCommit(c.params.ref ?? '');
  if (!sha) return error(422, `No commit found for SHA: ${c.params.ref}`);
  return { status: 200, body: commitJson(c.u, c.st, c.repo, bare.commit(sha), bare.diff(sha)) };
}

export const gitRoutes: Route[] = [
  route('GET', `${R}/git/ref/{ref}`, getRef),
  route('POST', `${R}/git/refs`, createRef),
  route('PATCH', `${R}/git/refs/{ref}`, updateRef),
  route('DELETE', `${R}/git/refs/{ref}`, deleteRef),
  route('GET', `${R}/git/trees/{tree_sha}`, getTree),
  route('GET', `${R}/git/blobs/{file_sha}`, getBlob),
  route('GET', `${R}/commits`, listCommits),
  route('GET', `${R}/commits/{ref}`, getCommit),
];
