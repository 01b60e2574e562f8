// A message as an email: a subject, a text part and an HTML part (every value escaped), and the
// Message-ID derived from the idempotency key, so that a redelivery is the same message to a mail
// client. Recipients are decided by routing (route.ts). Pure.
import type { Message } from '../message.js';

export interface EmailContent {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export function renderEmail(m: Message, key: string, to: readonly string[]): EmailContent {
  const prefix = m.severity === 'error' ? '[Lifeboat] FAILED: ' : '[Lifeboat] ';
  const subject = (prefix + m.title).replace(/[\r\n]+/g, ' ');
  const width = Math.max(...m.facts.map((f) => f.label.length), 0);
  const text = [
    m.title,
    '',
    m.summary,
    '',
    ...m.facts.map((f) => `${`${f.label}:`.padEnd(width + 2)}${f.value}`),
    '',
    ...(m.link ? [`${m.link.label}: ${m.link.url}`] : []),
    ...(m.command ? [`From the command line: ${m.command}`] : []),
    '',
    `-- Lifeboat (${m.type}, ${key})`,
    '',
  ].join('\n');
  const rows = m.facts
    .map(
      (f) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${html(f.label)}</th><td style="padding:2px 0">${html(f.value)}</td></tr>`,
    )
    .join('\n');
  const body = [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    `<h2${m.severity === 'error' ? ' style="color:#b00020"' : ''}>${html(m.title)}</h2>`,
    `<p>${html(m.summary)}</p>`,
    `<table>\n${rows}\n</table>`,
    ...(m.link ? [`<p><a href="${html(m.link.url)}">${html(m.link.label)}</a></p>`] : []),
    ...(m.command ? [`<p>From the command line: <code>${html(m.command)}</code></p>`] : []),
    `<p style="color:#777;font-size:small">Lifeboat · ${html(m.type)} · ${html(key)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { to: [...to], subject, text, html: body, messageId: `<${key}@lifeboat>` };
}

export function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
