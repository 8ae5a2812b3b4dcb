/**
 * The GraphQL mutations gitcanary uses, answered like GitHub's v4 API: `createCommitOnBranch`
 * (a real commit in the bare repo, compare-and-swap on `expectedHeadOid`, signed by GitHub) and
 * `enablePullRequestAutoMerge`. A small parser finds the operation's single root field, its
 * `input: $variable` and the selection set, which shapes the answer (unknown fields are errors).
 */
import { githubCommitter } from './bare-repo.js';
import { mergeability, runAutoMerges } from './pulls.js';
import type { Urls } from './shapes.js';
import type { FakeState, MergeMethod } from './state.js';

interface Selection {
  name: string;
  alias: string;
  children: Selection[] | null;
}

interface GqlError {
  message: string;
  type?: string;
  path?: string[];
  locations?: { line: number; column: number }[];
}

export interface GraphqlReply {
  status: number;
  body: unknown;
  /** Root field of the operation, when one was found. */
  field?: string;
}

class Parser {
  private readonly tokens: string[];
  private at = 0;
  constructor(source: string) {
    const re = /\s+|#[^\n]*|,|\.\.\.|[{}():!$=@[\]]|"(?:\\.|[^"\\])*"|-?\d[\w.]*|[_A-Za-z]\w*/g;
    this.tokens = (source.match(re) ?? []).filter((t) => !/^(\s+|#.*|,)$/s.test(t));
  }
  peek(): string | undefined {
    return this.tokens[this.at];
  }
  next(): string {
    const t = this.tokens[this.at++];
    if (t === undefined) throw new Error('Unexpected end of document');
    return t;
  }
  expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new Error(`Parse error on "${got}": expected "${t}"`);
  }
  skipBalanced(open: string, close: string): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t === open) depth++;
      if (t === close) depth--;
    } while (depth > 0);
  }
  /** `name: $var` pairs (literal values are refused: this fake reads inputs from variables). */
  args(): Record<string, string> {
    const out: Record<string, string> = {};
    this.expect('(');
    while (this.peek() !== ')') {
      const name = this.next();
      this.expect(':');
      if (this.next() !== '$') throw new Error(`fake GitHub: pass "${name}" as a variable`);
      out[name] = this.next();
    }
    this.expect(')');
    return out;
  }
  selections(): Selection[] {
    const out: Selection[] = [];
    this.expect('{');
    while (this.peek() !== '}') {
      const alias = this.next();
      let name = alias;
      if (this.peek() === ':') {
        this.next();
        name = this.next();
      }
      if (this.peek() === '(') this.skipBalanced('(', ')');
      out.push({ name, alias, children: this.peek() === '{' ? this.selections() : null });
    }
    this.expect('}');
    return out;
  }
  /** The operation's type, root field, its arguments and selection set. */
  operation(): { kind: string; root: Selection; args: Record<string, string> } {
    let kind = 'query';
    if (this.peek() !== '{') {
      kind = this.next();
      if (this.peek() !== '(' && this.peek() !== '{') this.next();
      if (this.peek() === '(') this.skipBalanced('(', ')');
    }
    this.expect('{');
    const name = this.next();
    const args = this.peek() === '(' ? this.args() : {};
    const children = this.peek() === '{' ? this.selections() : null;
    if (this.peek() !== '}') throw new Error('fake GitHub: one root field per operation');
    return { kind, root: { name, alias: name, children }, args };
  }
}

/** The selected fields of `value` (objects carry `__typename`). */
function project(value: unknown, selections: Selection[] | null, errors: GqlError[]): unknown {
  if (value === null || value === undefined || !selections) return value ?? null;
  if (Array.isArray(value)) return value.map((v) => project(v, selections, errors));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of selections) {
    if (!(s.name in obj)) {
      errors.push({ message: `Field '${s.name}' doesn't exist on type '${String(obj.__typename)}'` });
      continue;
    }
    out[s.alias] = project(obj[s.name], s.children, errors);
  }
  return out;
}

const gqlError = (field: string, message: string, type?: string): GqlError => ({
  message,
  ...(type ? { type } : {}),
  path: [field],
  locations: [{ line: 2, column: 3 }],
});

type Input = Record<string, unknown>;
type Outcome = { data: unknown } | { error: GqlError };

function createCommitOnBranch(st: FakeState, u: Urls, input: Input): Outcome {
  const field = 'createCommitOnBranch';
  const branchInput = (input.branch ?? {}) as Input;
  const nameWithOwner = String(branchInput.repositoryNameWithOwner ?? '');
  const [owner = '', name = ''] = nameWithOwner.split('/');
  const repo = st.repo(owner, name);
  if (!repo)
    return {
      error: gqlError(
        field,
        `Could not resolve to a Repository with the name '${nameWithOwner}'.`,
        'NOT_FOUND',
      ),
    };
  const branch = String(branchInput.branchName ?? '');
  const expected = String(input.expectedHeadOid ?? '');
  const head = repo.bare.head(branch);
  if (!head)
    return { error: gqlError(field, `A ref named "refs/heads/${branch}" does not exist.`, 'NOT_FOUND') };
  if (head !== expected) {
    const message = `Expected branch to point to "${expected}" but it did not. Pull and try again.`;
    return { error: gqlError(field, message, 'STALE_DATA') };
  }
  const required = repo.protections.get(branch);
  if (required?.length) {
    const message = `Protected branch update failed for refs/heads/${branch}. Required status check "${required[0]}" is expected.`;
    return { error: gqlError(field, message, 'UNPROCESSABLE') };
  }
  const message = (input.message ?? {}) as Input;
  const headline = String(message.headline ?? '');
  if (!headline.trim())
    return { error: gqlError(field, 'A commit message headline is required.', 'UNPROCESSABLE') };
  const changes = (input.fileChanges ?? {}) as { additions?: Input[]; deletions?: Input[] };
  const badPath = (p: string): boolean =>
    !p || p.startsWith('/') || p.split('/').some((s) => !s || s === '.' || s === '..');
  for (const p of [...(changes.additions ?? []), ...(changes.deletions ?? [])].map((c) =>
    String(c.path ?? ''),
  )) {
    if (badPath(p)) return { error: gqlError(field, `Invalid path: "${p}"`, 'UNPROCESSABLE') };
  }
  const additions = (changes.additions ?? []).map((a) => ({
    path: String(a.path),
    content: Buffer.from(String(a.contents ?? ''), 'base64'),
  }));
  const tree = repo.bare.treeWith(
    head,
    additions,
    (changes.deletions ?? []).map((d) => String(d.path)),
  );
  if (typeof tree !== 'string') {
    const missing = `A path was requested for deletion which does not exist as of commit oid \`${head}\``;
    return { error: gqlError(field, missing) };
  }
  const body = typeof message.body === 'string' && message.body ? `\n\n${message.body}` : '';
  const author = { name: st.viewer.name, email: st.viewerEmail() };
  const sha = repo.bare.commitTree(tree, [head], `${headline}${body}\n`, author, githubCommitter, st.now());
  if (!repo.bare.casRef(branch, sha, head)) {
    const stale = `Expected branch to point to "${expected}" but it did not. Pull and try again.`;
    return { error: gqlError(field, stale, 'STALE_DATA') };
  }
  st.verified.add(sha);
  const url = `${u.base}/${repo.owner}/${repo.name}/commit/${sha}`;
  const commit = {
    __typename: 'Commit',
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    url,
    message: `${headline}${body}`,
  };
  return {
    data: {
      __typename: 'CreateCommitOnBranchPayload',
      clientMutationId: input.clientMutationId ?? null,
      commit: {
        ...commit,
        committedDate: st.timestamp(),
        author: { __typename: 'GitActor', name: author.name, email: author.email, date: st.timestamp() },
        signature: { __typename: 'GpgSignature', isValid: true },
      },
      ref: { __typename: 'Ref', name: branch, prefix: 'refs/heads/', target: commit },
    },
  };
}

function enableAutoMerge(st: FakeState, input: Input): Outcome {
  const field = 'enablePullRequestAutoMerge';
  const id = String(input.pullRequestId ?? '');
  const pr = st.pulls.find((p) => p.nodeId === id);
  if (!pr)
    return {
      error: gqlError(field, `Could not resolve to a node with the global id of '${id}'`, 'NOT_FOUND'),
    };
  const repo = st.repo(pr.owner, pr.repo)!;
  st.refresh(pr, repo.bare.branches());
  if (pr.state !== 'open') return { error: gqlError(field, 'Pull request is closed', 'UNPROCESSABLE') };
  const method = String(input.mergeMethod ?? 'MERGE').toLowerCase() as MergeMethod;
  if (!['merge', 'squash', 'rebase'].includes(method)) {
    return { error: gqlError(field, `Invalid merge method ${input.mergeMethod}`, 'UNPROCESSABLE') };
  }
  if (mergeability(st, repo, pr).state === 'clean') {
    return { error: gqlError(field, 'Pull request Pull request is in clean status', 'UNPROCESSABLE') };
  }
  const enabledAt = st.timestamp();
  pr.autoMerge = { method, enabledBy: st.viewer.login };
  runAutoMerges(st, repo);
  return {
    data: {
      __typename: 'EnablePullRequestAutoMergePayload',
      clientMutationId: input.clientMutationId ?? null,
      pullRequest: {
        __typename: 'PullRequest',
        id: pr.nodeId,
        number: pr.number,
        state: pr.merged ? 'MERGED' : pr.state.toUpperCase(),
        merged: pr.merged,
        autoMergeRequest: pr.autoMerge
          ? { __typename: 'AutoMergeRequest', enabledAt, mergeMethod: method.toUpperCase() }
          : null,
      },
    },
  };
}

/** The root field of a GraphQL request body's operation, if it parses. */
export function rootField(request: unknown): string | undefined {
  const query = (request as { query?: unknown } | undefined)?.query;
  try {
    return typeof query === 'string' ? new Parser(query).operation().root.name : undefined;
  } catch {
    return undefined;
  }
}

/** Answers one POST /api/graphql body. */
export function handleGraphql(st: FakeState, u: Urls, request: unknown): GraphqlReply {
  const { query, variables } = (request ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== 'string')
    return {
      status: 200,
      body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] },
    };
  let op: ReturnType<Parser['operation']>;
  try {
    op = new Parser(query).operation();
  } catch (e) {
    return { status: 200, body: { errors: [{ message: (e as Error).message }] } };
  }
  const field = op.root.name;
  const handlers: Record<string, (input: Input) => Outcome> = {
    createCommitOnBranch: (input) => createCommitOnBranch(st, u, input),
    enablePullRequestAutoMerge: (input) => enableAutoMerge(st, input),
  };
  const handler = op.kind === 'mutation' ? handlers[field] : undefined;
  if (!handler) {
    const message = `Field '${field}' doesn't exist on type '${op.kind === 'mutation' ? 'Mutation' : 'Query'}' (in this fake)`;
    return { status: 200, body: { errors: [{ message }] }, field };
  }
  const variable = op.args.input;
  const input = variable ? variables?.[variable] : undefined;
  if (!input || typeof input !== 'object') {
    const message = `Argument 'input' on Field '${field}' has an invalid value (null). Expected type '${field[0]!.toUpperCase()}${field.slice(1)}Input!'.`;
    return { status: 200, body: { errors: [{ message }] }, field };
  }
  const outcome = handler(input as Input);
  if ('error' in outcome)
    return { status: 200, body: { data: { [op.root.alias]: null }, errors: [outcome.error] }, field };
  const errors: GqlError[] = [];
  const data = { [op.root.alias]: project(outcome.data, op.root.children, errors) };
  return { status: 200, body: errors.length ? { errors } : { data }, field };
}
