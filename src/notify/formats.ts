/**
 * Each AlertProvider type's request, shaped as Flagger shapes it: Slack's legacy attachments
 * (also Discord's Slack-compatible endpoint and Rocket.Chat's incoming webhooks), a Microsoft
 * Teams MessageCard, a Google Chat card. Pure: the URL and the JSON body to POST.
 */
import type { AlertMessage, AlertTarget } from './alerts.js';

export interface AlertRequest {
  url: string;
  body: unknown;
}

type Format = (target: AlertTarget, m: AlertMessage) => AlertRequest;

const author = (m: AlertMessage) => `${m.name}.${m.namespace}`;

/** Slack's webhook payload with one attachment; the colours are the only difference between the three. */
function slackLike(colors: { normal: string; error: string }): Format {
  return (target, m) => ({
    url: target.address,
    body: {
      channel: target.channel,
      username: target.username,
      icon_url: '',
      icon_emoji: ':rocket:',
      attachments: [
        {
          color: m.severity === 'error' ? colors.error : colors.normal,
          author_name: author(m),
          text: m.text,
          mrkdwn_in: ['text'],
          fields: m.fields.map((f) => ({ title: f.name, value: f.value, short: false })),
        },
      ],
    },
  });
}

/** Discord takes Slack's payload at the webhook URL with `/slack` appended. */
function discordUrl(address: string): string {
  if (address.endsWith('/slack')) return address;
  const u = new URL(address);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/slack`;
  return u.toString();
}

const grey = (s: string) => `<font color=#848484><strong>${s}</strong></font>`;

export const alertFormats = {
  slack: slackLike({ normal: 'good', error: 'danger' }),
  discord: (target, m) => ({
    ...slackLike({ normal: 'good', error: 'danger' })(target, m),
    url: discordUrl(target.address),
  }),
  rocket: slackLike({ normal: '#0076D7', error: '#FF0000' }),
  msteams: (target, m) => ({
    url: target.address,
    body: {
      '@type': 'MessageCard',
      '@context': 'http://schema.org/extensions',
      themeColor: m.severity === 'error' ? 'FF0000' : '0076D7',
      summary: author(m),
      sections: [
        { activityTitle: m.text, activitySubtitle: author(m), facts: m.fields.map((f) => ({ ...f })) },
      ],
    },
  }),
  gchat: (target, m) => ({
    url: target.address,
    body: {
      cards: [
        {
          header: { title: 'Flagger', subtitle: author(m), imageUrl: 'https://flagger.app/favicon.png' },
          sections: [
            { widgets: [{ textParagraph: { text: grey(m.text) } }] },
            ...m.fields.map((f) => ({
              widgets: [{ textParagraph: { text: `${f.name}<br>${grey(f.value)}` } }],
            })),
          ],
        },
      ],
    },
  }),
} satisfies Record<AlertTarget['type'], Format>;

/**
 * The request for one alert. Slack, Discord and Rocket.Chat need a username and a channel (the
 * provider's defaults fill them in), and every type a URL: a bad address is an error naming it.
 */
export function alertRequest(target: AlertTarget, m: AlertMessage): AlertRequest {
  let parsed: URL;
  try {
    parsed = new URL(target.address);
  } catch {
    throw new Error(`alert provider ${target.ref}: invalid ${target.type} address`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`alert provider ${target.ref}: ${target.type} address must be http(s)`);
  }
  return alertFormats[target.type](target, m);
}
