// A message as a Microsoft Teams Workflows webhook payload: an Adaptive Card (1.4) in the
// `{"type":"message","attachments":[…]}` envelope the "Post to a channel when a webhook request is
// received" flow takes. A title (attention colour for failures and production destinations), the
// summary, the facts as a FactSet, the CLI command and message key in small print, and an
// Action.OpenUrl to the run. Teams refuses cards over 28 KB: long values (an error, a
// justification) are cut until the whole payload fits. Pure.
import type { Fact, Message } from '../message.js';

/** Teams' limit on a message is 28 KB; a margin is kept for what the flow adds around the card. */
export const TEAMS_MAX_BYTES = 27 * 1024;

export function renderTeams(m: Message, key: string): object {
  // cut the long values harder until the serialized payload fits
  for (const max of [Infinity, 4000, 2000, 1000, 500, 200, 80]) {
    const payload = envelope(m, key, max);
    if (Buffer.byteLength(JSON.stringify(payload)) <= TEAMS_MAX_BYTES) return payload;
  }
  return envelope({ ...m, facts: m.facts.slice(0, 8) }, key, 40);
}

function envelope(m: Message, key: string, max: number): object {
  const attention = m.severity === 'error' || m.critical;
  const body: unknown[] = [
    {
      type: 'TextBlock',
      text: cut(m.title, max),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      ...(attention ? { color: 'Attention' } : m.severity === 'warning' ? { color: 'Warning' } : {}),
    },
    { type: 'TextBlock', text: cut(m.summary, max), wrap: true },
    { type: 'FactSet', facts: m.facts.map((f: Fact) => ({ title: f.label, value: cut(f.value, max) })) },
    {
      type: 'TextBlock',
      text: [m.command, `lifeboat · ${m.type} · ${key}`].filter(Boolean).join(' · '),
      size: 'Small',
      isSubtle: true,
      wrap: true,
    },
  ];
  const content: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  if (m.link) content.actions = [{ type: 'Action.OpenUrl', title: m.link.label, url: m.link.url }];
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
