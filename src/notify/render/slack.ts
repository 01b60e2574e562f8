// A message as a Slack incoming-webhook payload: Block Kit (a header, the summary, the facts as
// section fields, a button to the run, a context line with the CLI command and the message key)
// and the plain `text` fallback that notifications and old clients show. Incoming webhooks have
// no header for an idempotency key, so the key is in the context line, where a person can tell a
// redelivery apart. Pure.
import type { Message } from '../message.js';

/** Slack's limits: a header's text 150 characters, a field 2000, ten fields a section. */
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;
const TEXT_MAX = 3000;

export interface SlackPayload {
  text: string;
  blocks: unknown[];
}

export function renderSlack(m: Message, key: string): SlackPayload {
  const mention = m.critical && m.severity !== 'info' ? '<!channel> ' : m.critical ? '<!here> ' : '';
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(m.title, HEADER_MAX), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(mention + escape(m.summary), TEXT_MAX) } },
    {
      type: 'section',
      fields: m.facts
        .slice(0, FIELDS_MAX)
        .map((f) => ({ type: 'mrkdwn', text: cut(`*${escape(f.label)}*\n${escape(f.value)}`, FIELD_MAX) })),
    },
  ];
  if (m.link) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: m.link.label },
          url: m.link.url,
          ...(m.severity === 'error' ? { style: 'danger' } : { style: 'primary' }),
        },
      ],
    });
  }
  const context = [m.command ? `\`${escape(m.command)}\`` : undefined, `lifeboat · ${m.type} · ${key}`]
    .filter((x) => x !== undefined)
    .join('  ·  ');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(context, TEXT_MAX) }] });
  const link = m.link ? ` <${m.link.url}|${escape(m.link.label)}>` : '';
  return { text: cut(`${mention}${escape(m.title)}: ${escape(m.summary)}${link}`, TEXT_MAX), blocks };
}

/** Slack's mrkdwn reads &, < and > as markup: escaped as its documentation says. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
