/**
 * Alert messages as Flagger sends them, each provider's body checked byte for byte against
 * Flagger's shape and against a JSON Schema written from the provider's published format
 * (Slack incoming webhooks with legacy attachments, Discord's Slack-compatible endpoint,
 * Rocket.Chat incoming webhooks, the Office 365 connector MessageCard, Google Chat cards v1).
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Canary } from '../../src/inputs/schema.js';
import { type AlertMessage, type AlertTarget, metadataFields, receives } from '../../src/notify/alerts.js';
import { alertRequest } from '../../src/notify/formats.js';

const message: AlertMessage = {
  name: 'podinfo',
  namespace: 'test',
  text: 'Canary analysis completed successfully, promotion finished.',
  severity: 'info',
  fields: [{ name: 'Target', value: 'Deployment/podinfo.test' }],
};
const target = (
  type: AlertTarget['type'],
  address = 'https://hooks.example.test/services/T0/B0/x',
): AlertTarget => ({
  ref: 'test/on-call',
  type,
  address,
  username: 'flagger',
  channel: 'general',
});

const str = { type: 'string' } as const;
const strict = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
/** Slack's incoming-webhook payload with legacy attachments (the subset Flagger uses). */
const slackSchema = strict(
  {
    channel: str,
    username: str,
    icon_url: str,
    icon_emoji: str,
    attachments: {
      type: 'array',
      items: strict({
        color: str,
        author_name: str,
        text: str,
        mrkdwn_in: { type: 'array', items: { enum: ['text', 'pretext', 'fields'] } },
        fields: { type: 'array', items: strict({ title: str, value: str, short: { type: 'boolean' } }) },
      }),
    },
  },
  ['attachments'],
);
/** The connector MessageCard (`@type`, `@context`, sections of activity title/subtitle and facts). */
const teamsSchema = strict({
  '@type': { const: 'MessageCard' },
  '@context': { const: 'http://schema.org/extensions' },
  themeColor: { type: 'string', pattern: '^[0-9A-F]{6}$' },
  summary: str,
  sections: {
    type: 'array',
    items: strict({
      activityTitle: str,
      activitySubtitle: str,
      facts: { type: 'array', items: strict({ name: str, value: str }) },
    }),
  },
});
/** Google Chat's card message (v1 `cards`: header, sections of widgets). */
const gchatSchema = strict({
  cards: {
    type: 'array',
    items: strict({
      header: strict({ title: str, subtitle: str, imageUrl: str }),
      sections: {
        type: 'array',
        items: strict({
          widgets: { type: 'array', items: strict({ textParagraph: strict({ text: str }) }) },
        }),
      },
    }),
  },
});
const ajv = new Ajv({ allErrors: true });
const schemas = {
  slack: slackSchema,
  discord: slackSchema,
  rocket: slackSchema,
  msteams: teamsSchema,
  gchat: gchatSchema,
};

describe('alert bodies', () => {
  it.each(Object.keys(schemas) as AlertTarget['type'][])('%s matches the published format', (type) => {
    for (const severity of ['info', 'warn', 'error'] as const) {
      const { body } = alertRequest(target(type), { ...message, severity });
      const validate = ajv.compile(schemas[type]);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('slack: one attachment, author <name>.<namespace>, good or danger', () => {
    const r = alertRequest(target('slack'), message);
    expect(r.url).toBe('https://hooks.example.test/services/T0/B0/x');
    expect(r.body).toEqual({
      channel: 'general',
      username: 'flagger',
      icon_url: '',
      icon_emoji: ':rocket:',
      attachments: [
        {
          color: 'good',
          author_name: 'podinfo.test',
          text: 'Canary analysis completed successfully, promotion finished.',
          mrkdwn_in: ['text'],
          fields: [{ title: 'Target', value: 'Deployment/podinfo.test', short: false }],
        },
      ],
    });
    const warn = alertRequest(target('slack'), { ...message, severity: 'warn' }).body as {
      attachments: { color: string }[];
    };
    expect(warn.attachments[0]?.color).toBe('good');
    const error = alertRequest(target('slack'), { ...message, severity: 'error' }).body as {
      attachments: { color: string }[];
    };
    expect(error.attachments[0]?.color).toBe('danger');
  });

  it("discord: Slack's payload at <url>/slack, added once", () => {
    expect(
      alertRequest(target('discord', 'https://discord.example.test/api/webhooks/1/abc'), message).url,
    ).toBe('https://discord.example.test/api/webhooks/1/abc/slack');
    expect(
      alertRequest(target('discord', 'https://discord.example.test/api/webhooks/1/abc/slack'), message).url,
    ).toBe('https://discord.example.test/api/webhooks/1/abc/slack');
  });

  it('rocket: blue, red for errors', () => {
    const colour = (severity: AlertMessage['severity']) =>
      (alertRequest(target('rocket'), { ...message, severity }).body as { attachments: { color: string }[] })
        .attachments[0]?.color;
    expect([colour('info'), colour('error')]).toEqual(['#0076D7', '#FF0000']);
  });

  it('msteams: a MessageCard titled with the message, the canary as subtitle and summary', () => {
    expect(alertRequest(target('msteams'), { ...message, severity: 'error' }).body).toEqual({
      '@type': 'MessageCard',
      '@context': 'http://schema.org/extensions',
      themeColor: 'FF0000',
      summary: 'podinfo.test',
      sections: [
        {
          activityTitle: 'Canary analysis completed successfully, promotion finished.',
          activitySubtitle: 'podinfo.test',
          facts: [{ name: 'Target', value: 'Deployment/podinfo.test' }],
        },
      ],
    });
  });

  it('gchat: a card titled Flagger, the message first, then one paragraph per field', () => {
    const body = alertRequest(target('gchat'), message).body as {
      cards: { header: unknown; sections: unknown[] }[];
    };
    expect(body.cards[0]?.header).toEqual({
      title: 'Flagger',
      subtitle: 'podinfo.test',
      imageUrl: 'https://flagger.app/favicon.png',
    });
    expect(body.cards[0]?.sections).toEqual([
      {
        widgets: [
          {
            textParagraph: {
              text: '<font color=#848484><strong>Canary analysis completed successfully, promotion finished.</strong></font>',
            },
          },
        ],
      },
      {
        widgets: [
          {
            textParagraph: {
              text: 'Target<br><font color=#848484><strong>Deployment/podinfo.test</strong></font>',
            },
          },
        ],
      },
    ]);
  });

  it('a bad address is an error that names the provider, not the address (webhook URLs are secrets)', () => {
    expect(() => alertRequest(target('slack', 'not a url/secret-part'), message)).toThrow(
      'alert provider test/on-call: invalid slack address',
    );
    expect(() => alertRequest(target('slack', 'ftp://x/secret-part'), message)).toThrow(/must be http\(s\)$/);
  });
});

describe('severity filter (as Flagger code, not its docs)', () => {
  it.each([
    ['info', 'info', true],
    ['info', 'error', true],
    ['warn', 'info', false],
    ['warn', 'warn', true],
    ['warn', 'error', true],
    ['error', 'warn', false],
    ['error', 'error', true],
    ['', 'error', false],
    [undefined, 'info', false],
  ] as const)('entry %s receives %s: %s', (entry, severity, expected) => {
    expect(receives(entry, severity)).toBe(expected);
  });
});

describe('metadata fields', () => {
  const canary = (analysis: Record<string, unknown>, extra: Record<string, unknown> = {}): Canary =>
    ({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace: 'test' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898 },
        analysis,
        ...extra,
      },
    }) as unknown as Canary;

  it('canary strategy with stepWeight, and the Flagger defaults for threshold (1) and deadline', () => {
    expect(metadataFields(canary({ interval: '1m', stepWeight: 10, maxWeight: 50 }))).toEqual([
      { name: 'Target', value: 'Deployment/podinfo.test' },
      { name: 'Failed checks threshold', value: '1' },
      { name: 'Progress deadline', value: '600s' },
      { name: 'Traffic routing', value: 'Weight step: 10 max: 50' },
    ]);
  });

  it('stepWeights, A/B and blue/green', () => {
    const routing = (c: Canary) => metadataFields(c).find((f) => f.name === 'Traffic routing')?.value;
    expect(routing(canary({ threshold: 5, stepWeights: [1, 5, 25], maxWeight: 25 }))).toBe(
      'Weight steps: 1,5,25 max: 25',
    );
    expect(routing(canary({ iterations: 10, match: [{ headers: { x: { exact: 'y' } } }] }))).toBe(
      'A/B Testing',
    );
    expect(routing(canary({ iterations: 10 }, { progressDeadlineSeconds: 60 }))).toBe('Blue/Green');
    expect(metadataFields(canary({ iterations: 10 }, { progressDeadlineSeconds: 60 }))[2]).toEqual({
      name: 'Progress deadline',
      value: '60s',
    });
  });
});
