// Who hears of an event, with the configuration in force when it is routed (pure):
//   - the channels in the owning team's `notify` list (a backup's team: its database's owner),
//     and the channels with `all_teams` (a DBA channel), each only for the events its `events`
//     filter names (all when absent) and at least as severe as its `min_severity`;
//   - people, by email, through those of the team's channels that are email channels: the
//     approvers when a run awaits approval, the requester of every later step of a run, and the
//     DBAs (users with the dba-admin role) when a run, a drill or a backup fails, a backup is
//     corrupt, the schema drifts, or a recovery SLO is breached or recovered (a drill's requester
//     hears its verdict);
//   - a test message goes to the one channel it names.
// Then each routed message is rendered once into what is stored and sent (`outboxMessages`).
import { createHash } from 'node:crypto';
import type { Catalog, NotificationChannel } from '../catalog/types.js';
import { redact, type Secret } from '../lib/secret.js';
import { type EventFacts, type NotifyEvent, SEVERITIES, severityOf } from './events.js';
import { catalogSecrets, composeMessage, type Message } from './message.js';
import { renderEmail } from './render/email.js';
import { renderSlack } from './render/slack.js';
import { renderTeams } from './render/teams.js';
import { renderWebhook } from './render/webhook.js';

export interface Route {
  channel: NotificationChannel;
  /** Email only: the channel's own `to` and the people the event concerns. */
  to?: string[];
}

export function routeEvent(event: EventFacts, catalog: Catalog): Route[] {
  if (event.type === 'lifeboat.test') {
    const channel = catalog.notifications[event.data.channel];
    return channel ? [withPeople(channel, [], catalog)] : [];
  }
  const team = 'team' in event.data ? event.data.team : catalog.databases[event.data.database]?.owner;
  const names = team === undefined ? [] : [...(catalog.teams[team]?.notify ?? [])];
  // then the channels that hear every team (a DBA channel), in the file's order
  for (const c of Object.values(catalog.notifications)) if (c.allTeams && !names.includes(c.name)) names.push(c.name);
  const people = peopleOf(event, catalog);
  const severity = SEVERITIES.indexOf(severityOf(event.type));
  const routes: Route[] = [];
  for (const name of names) {
    const channel = catalog.notifications[name];
    if (!channel) continue; // (a config cross-check refuses an undefined name; a reload may race)
    if (channel.events && !channel.events.includes(event.type)) continue;
    if (severity < SEVERITIES.indexOf(channel.minSeverity)) continue;
    routes.push(withPeople(channel, people, catalog));
  }
  return routes;
}

function withPeople(channel: NotificationChannel, people: readonly string[], catalog: Catalog): Route {
  if (channel.type !== 'email') return { channel };
  const to = [...channel.to];
  for (const user of people) {
    const email = catalog.users[user]?.email;
    if (email && !to.includes(email)) to.push(email);
  }
  return { channel, to };
}

/** The users an event concerns (reached through the team's email channels). */
export function peopleOf(event: EventFacts, catalog: Catalog): string[] {
  const dbas = Object.values(catalog.users)
    .filter((u) => u.roles.includes('dba-admin'))
    .map((u) => u.name);
  switch (event.type) {
    case 'lifeboat.test':
      return [];
    case 'backup.failed':
    case 'backup.corrupt':
    case 'schema.drift':
    case 'slo.breached':
    case 'slo.recovered':
      return dbas;
    // an incident concerns the DBAs and whoever declared it (Alertmanager is nobody to email)
    case 'dr.declared':
    case 'dr.recovered':
    case 'dr.failed':
      return unique([...(catalog.users[event.data.actor] ? [event.data.actor] : []), ...dbas]);
    case 'restore.submitted':
      return event.data.status === 'pending_approval'
        ? [...(catalog.teams[event.data.team]?.approvers ?? [])]
        : [event.data.requester];
    case 'restore.failed':
      return unique([event.data.requester, ...dbas]);
    case 'drill.failed':
      // (a scheduled drill's requester is the scheduler, who has no email)
      return unique([event.data.requester, ...dbas]);
    case 'drill.passed':
      return [event.data.requester];
    case 'restore.approved':
    case 'restore.rejected':
    case 'restore.expired':
    case 'restore.scheduled':
    case 'restore.started':
    case 'restore.completed':
    case 'restore.partial':
    case 'restore.cancelled':
      return [event.data.requester];
    default: {
      const never: never = event;
      return never;
    }
  }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A message's idempotency key: the same for its every attempt, whichever process routes it. */
export function idempotencyKey(eventId: number, channel: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\0${channel}`).digest('hex').slice(0, 32)}`;
}

export interface OutboxMessage {
  key: string;
  channel: string;
  kind: NotificationChannel['type'];
  event: string;
  subject: string;
  /** What is sent: the JSON body (slack, teams, webhook) or the email's content. Never a secret. */
  payload: object;
  maxAttempts: number;
}

export function outboxMessages(event: NotifyEvent, catalog: Catalog, publicUrl: string): OutboxMessage[] {
  const facts = { type: event.type, data: event.data } as EventFacts;
  const message = composeMessage(facts, { catalog, publicUrl });
  const secrets = catalogSecrets(catalog);
  return routeEvent(facts, catalog).map(({ channel, to }) => {
    const key = idempotencyKey(event.id, channel.name);
    const payload = renderFor(channel, to, message, key, event, secrets);
    return {
      key,
      channel: channel.name,
      kind: channel.type,
      event: event.type,
      subject: event.subject,
      payload,
      maxAttempts: channel.maxAttempts,
    };
  });
}

/** A message rendered for `channel` (the email to `to`, else to the channel's own list). */
export function renderFor(
  channel: NotificationChannel,
  to: string[] | undefined,
  message: Message,
  key: string,
  event: { createdAt: Date; data: object },
  secrets: readonly Secret[],
): object {
  switch (channel.type) {
    case 'slack':
      return renderSlack(message, key);
    case 'teams':
      return renderTeams(message, key);
    case 'webhook':
      return renderWebhook(message, key, event, (t) => redact(t, secrets));
    case 'email':
      return renderEmail(message, key, to ?? channel.to);
    default: {
      const never: never = channel;
      return never;
    }
  }
}
