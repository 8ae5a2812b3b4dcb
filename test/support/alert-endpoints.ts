/**
 * Loopback endpoints standing in for Slack, Microsoft Teams, Discord, Rocket.Chat and Google Chat
 * incoming webhooks, plus an `event` webhook receiver. Each checks every request (method, path,
 * content type) and the JSON body against the provider's published format, answers as the
 * provider does, and records what it received; a request that breaks the format is answered 400
 * and recorded in `errors`.
 *
 * Formats checked:
 * - Slack: https://api.slack.com/messaging/webhooks, legacy `attachments` (color, author_name,
 *   text, fields of title/value/short, mrkdwn_in); answers `ok`.
 * - Discord: the Slack-compatible endpoint `/api/webhooks/{id}/{token}/slack`; answers `ok`.
 * - Rocket.Chat: incoming integrations `/hooks/{id}/{token}`, Slack-style attachments; answers `{"success":true}`.
 * - Teams: the Office 365 connector MessageCard (`@type`, `@context`, `summary` or `text`,
 *   `themeColor` hex without `#`, sections with activityTitle/activitySubtitle/facts); answers `1`.
 * - Google Chat: `POST /v1/spaces/{space}/messages?key&token`, card v1 (header title/subtitle,
 *   sections of widgets with textParagraph); answers the message JSON.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { listenLoopback } from './loopback.js';

export type Kind = 'slack' | 'discord' | 'rocket' | 'msteams' | 'gchat' | 'event';

export interface Received {
  kind: Kind;
  path: string;
  body: Record<string, unknown>;
  /** The alert's text or the event's message. */
  text: string;
  /** The transition id the message carries. */
  transition: string;
}

export const paths: Record<Kind, string> = {
  slack: '/services/T000/B000/XXXXSECRETPATH',
  discord: '/api/webhooks/123/discordtoken/slack',
  rocket: '/hooks/rocketid/rockettoken',
  msteams: '/webhookb2/teams-id/IncomingWebhook/abc/def',
  gchat: '/v1/spaces/AAAA/messages?key=k&token=t',
  event: '/events',
};

const fail = (why: string): never => {
  throw new Error(why);
};
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, what: string): string =>
  typeof v === 'string' ? v : fail(`${what} must be a string`);
const arr = (v: unknown, what: string): unknown[] =>
  Array.isArray(v) ? v : fail(`${what} must be an array`);

function only(o: Record<string, unknown>, allowed: string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${what}: unknown field ${k}`);
}

function slackBody(b: Record<string, unknown>, colors: RegExp): { text: string; transition: string } {
  only(b, ['channel', 'username', 'icon_url', 'icon_emoji', 'text', 'attachments'], 'slack payload');
  str(b.channel, 'channel') || fail('channel empty');
  str(b.username, 'username') || fail('username empty');
  const atts = arr(b.attachments, 'attachments');
  if (atts.length !== 1) fail('one attachment expected');
  const a = atts[0];
  if (!isObj(a)) return fail('attachment must be an object');
  only(a, ['color', 'author_name', 'text', 'mrkdwn_in', 'fields'], 'attachment');
  if (!colors.test(str(a.color, 'color'))) fail(`color ${String(a.color)}`);
  str(a.author_name, 'author_name');
  const text = str(a.text, 'text');
  let transition = '';
  for (const f of arr(a.fields, 'fields')) {
    if (!isObj(f)) fail('field must be an object');
    const field = f as Record<string, unknown>;
    only(field, ['title', 'value', 'short'], 'field');
    str(field.title, 'field.title');
    str(field.value, 'field.value');
    if (typeof field.short !== 'boolean') fail('field.short must be a boolean');
    if (field.title === 'Transition') transition = field.value as string;
  }
  return { text, transition };
}

function teamsBody(b: Record<string, unknown>): { text: string; transition: string } {
  if (b['@type'] !== 'MessageCard') fail('@type must be MessageCard');
  if (!/^https?:\/\/schema\.org\/extensions$/.test(str(b['@context'], '@context'))) fail('@context');
  if (typeof b.summary !== 'string' && typeof b.text !== 'string') fail('summary or text is required');
  if (!/^[0-9A-Fa-f]{6}$/.test(str(b.themeColor, 'themeColor'))) fail('themeColor must be 6 hex digits');
  const sections = arr(b.sections, 'sections');
  const s = sections[0];
  if (!isObj(s)) return fail('section must be an object');
  const text = str(s.activityTitle, 'activityTitle');
  str(s.activitySubtitle, 'activitySubtitle');
  let transition = '';
  for (const f of arr(s.facts, 'facts')) {
    if (!isObj(f)) fail('fact must be an object');
    const fact = f as Record<string, unknown>;
    only(fact, ['name', 'value'], 'fact');
    if (str(fact.name, 'fact.name') === 'Transition') transition = str(fact.value, 'fact.value');
  }
  return { text, transition };
}

function gchatBody(b: Record<string, unknown>): { text: string; transition: string } {
  only(b, ['cards', 'text'], 'gchat message');
  const card = arr(b.cards, 'cards')[0];
  if (!isObj(card)) return fail('card must be an object');
  const header = card.header;
  if (!isObj(header)) return fail('card.header must be an object');
  str(header.title, 'header.title');
  str(header.subtitle, 'header.subtitle');
  const texts: string[] = [];
  for (const s of arr(card.sections, 'sections')) {
    if (!isObj(s)) fail('section must be an object');
    for (const w of arr((s as Record<string, unknown>).widgets, 'widgets')) {
      if (!isObj(w) || !isObj(w.textParagraph)) fail('widget must be a textParagraph');
      texts.push(str(((w as Record<string, unknown>).textParagraph as Record<string, unknown>).text, 'text'));
    }
  }
  const plain = (s: string) => s.replace(/<[^>]+>/g, '');
  const t = texts.find((x) => x.startsWith('Transition<br>'));
  return { text: plain(texts[0] ?? ''), transition: t ? plain(t.slice('Transition<br>'.length)) : '' };
}

function eventBody(b: Record<string, unknown>): { text: string; transition: string } {
  only(b, ['name', 'namespace', 'phase', 'checksum', 'metadata'], 'event payload');
  str(b.name, 'name');
  str(b.namespace, 'namespace');
  str(b.phase, 'phase');
  str(b.checksum, 'checksum');
  const m = b.metadata;
  if (!isObj(m)) return fail('metadata must be an object');
  if (!['Normal', 'Warning'].includes(str(m.eventType, 'eventType'))) fail('eventType');
  if (!/^\d+$/.test(str(m.timestamp, 'timestamp'))) fail('timestamp must be unix ms');
  return { text: str(m.eventMessage, 'eventMessage'), transition: str(m.transitionId, 'transitionId') };
}

const answers: Record<Kind, { type: string; body: string }> = {
  slack: { type: 'text/html', body: 'ok' },
  discord: { type: 'text/plain', body: 'ok' },
  rocket: { type: 'application/json', body: '{"success":true}' },
  msteams: { type: 'text/plain', body: '1' },
  gchat: { type: 'application/json', body: '{"name":"spaces/AAAA/messages/1"}' },
  event: { type: 'text/plain', body: 'accepted' },
};

function check(kind: Kind, body: Record<string, unknown>) {
  if (kind === 'slack' || kind === 'discord') return slackBody(body, /^(good|danger)$/);
  if (kind === 'rocket') return slackBody(body, /^#(0076D7|FF0000)$/);
  if (kind === 'msteams') return teamsBody(body);
  if (kind === 'gchat') return gchatBody(body);
  return eventBody(body);
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAlertEndpoints() {
  const received: Received[] = [];
  const errors: string[] = [];
  const requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
  /** Set to make every request answer 500 (an endpoint down). */
  const state = { down: false };
  const server = createServer(async (req, res) => {
    const url = req.url ?? '';
    requests.push({ method: req.method ?? '', url, headers: req.headers });
    const kind = (Object.keys(paths) as Kind[]).find((k) => paths[k] === url);
    const bad = (why: string) => {
      errors.push(`${req.method} ${url}: ${why}`);
      res.writeHead(400, { 'content-type': 'text/plain' }).end(why);
    };
    if (!kind) return bad('unknown path');
    if (req.method !== 'POST') return bad('method must be POST');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return bad('content-type must be application/json');
    if (req.headers.authorization) return bad('no credential may be sent');
    const text = await readAll(req);
    if (state.down) return void res.writeHead(500).end('down');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return bad('body is not JSON');
    }
    if (!isObj(body)) return bad('body must be an object');
    try {
      const got = check(kind, body);
      received.push({ kind, path: url, body, ...got });
    } catch (e) {
      return bad((e as Error).message);
    }
    res.writeHead(200, { 'content-type': answers[kind].type }).end(answers[kind].body);
  });
  const handle = await listenLoopback(server);
  return { ...handle, received, errors, requests, state, address: (k: Kind) => `${handle.url}${paths[k]}` };
}

export type AlertEndpoints = Awaited<ReturnType<typeof startAlertEndpoints>>;
