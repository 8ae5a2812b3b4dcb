/**
 * REST routes for PR comment commands: listing an issue's comments with `since` and pages,
 * a collaborator's permission, and reactions to an issue comment — as the published API answers.
 */
import { type Call, invalid, notFound, page, type Reply, type Route, route, str } from './routes.js';
import { commentJson, userJson } from './shapes.js';
import { nodeId } from './state.js';

const R = '/repos/{owner}/{repo}';
const contents = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];
/** The legacy `permission` field: maintain reads as write, triage as read. */
const legacy = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' } as const;

function listComments(c: Call): Reply {
  const { st, repo } = c;
  const number = Number(c.params.issue_number);
  if (!st.pull(repo.owner, repo.name, number)) return notFound();
  const since = c.query.get('since');
  if (since !== null && Number.isNaN(Date.parse(since)))
    return invalid({ resource: 'IssueComment', field: 'since', code: 'invalid' });
  const list = st.comments
    .filter((x) => x.owner === repo.owner && x.repo === repo.name && x.issueNumber === number)
    .filter((x) => since === null || Date.parse(x.updatedAt) >= Date.parse(since))
    .sort((a, b) => a.id - b.id);
  return page(
    c,
    list.map((x) => commentJson(c.u, st, x)),
  );
}

function permission(c: Call): Reply {
  const login = c.params.username ?? '';
  const role = c.st.permissions.get(`${c.repo.owner}/${c.repo.name}/${login}`);
  if (!role) return { status: 404, body: { message: `${login} is not a user`, documentation_url: '' } };
  const user = { ...userJson(c.u, c.st, login), permissions: permissionsOf(role), role_name: role };
  return { status: 200, body: { permission: legacy[role], role_name: role, user } };
}

const permissionsOf = (role: string) => ({
  admin: role === 'admin',
  maintain: role === 'admin' || role === 'maintain',
  push: ['admin', 'maintain', 'write'].includes(role),
  triage: role !== 'read',
  pull: true,
});

function react(c: Call): Reply {
  const { st, repo } = c;
  const commentId = Number(c.params.comment_id);
  const comment = st.comments.find(
    (x) => x.owner === repo.owner && x.repo === repo.name && x.id === commentId,
  );
  if (!comment) return notFound();
  const content = str(c.body.content);
  if (!content || !contents.includes(content))
    return invalid({ resource: 'Reaction', field: 'content', code: 'invalid' });
  const user = st.viewer.login;
  const json = (r: (typeof st.reactions)[number]) => ({
    id: r.id,
    node_id: r.nodeId,
    user: userJson(c.u, st, r.user),
    content: r.content,
    created_at: r.createdAt,
  });
  const same = st.reactions.find(
    (r) => r.commentId === commentId && r.user === user && r.content === content,
  );
  if (same) return { status: 200, body: json(same) };
  const id = st.id();
  const r = { id, nodeId: nodeId('REA', id), commentId, user, content, createdAt: st.timestamp() };
  st.reactions.push(r);
  return { status: 201, body: json(r) };
}

export const commentRoutes: Route[] = [
  route('GET', `${R}/issues/{issue_number}/comments`, listComments),
  route('GET', `${R}/collaborators/{username}/permission`, permission),
  route('POST', `${R}/issues/comments/{comment_id}/reactions`, react),
];
