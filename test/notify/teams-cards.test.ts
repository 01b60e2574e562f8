// Every Teams card Lifeboat sends, parsed by Microsoft's own Adaptive Cards library (the
// `adaptivecards` package, which is what renders them): no unknown element, action or property,
// and the envelope Teams Workflows expects. The parser is shown to catch a bad card, so a clean
// result means something.
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import { composeMessage, type Message } from '../../src/notify/message.js';
import { NOTIFY_TYPES, type EventFacts, type RunFacts } from '../../src/notify/events.js';
import { renderTeams } from '../../src/notify/render/teams.js';

// the package's ES build imports files without extensions (a bundler's habit); its UMD bundle loads in Node
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

const catalog = parseConfig(
  `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice, bob] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice:  { email: alice@example.com,  roles: [db-owner] }
  bob:    { email: bob@example.com,    roles: [db-owner] }
servers:
  prod-pg01: { engine: postgres, tier: production,  url: env:PROD }
  dev-pg01:  { engine: postgres, tier: development, url: env:PROD }
`,
  { baseDir: '/tmp', env: { PROD: 'postgres://lb:pw@127.0.0.1/x' } },
);

const run: RunFacts = {
  run: 42,
  status: 'completed',
  database: 'CustomerDB',
  team: 'team-alpha',
  source: 'prod-pg01',
  destination: 'dev-pg01/customer',
  tier: 'development',
  requester: 'jsmith',
  actor: 'alice',
  backupId: '20261205T010000Z-ab12',
  pointInTime: null,
  justification: 'debug <ticket> & "stuff"',
  approvalsRequired: 1,
  startAt: null,
  durationMs: 125_000,
  error: 'x'.repeat(100_000),
  errorStep: 'restore',
};

function eventOf(type: (typeof NOTIFY_TYPES)[number]): EventFacts {
  if (type === 'backup.failed' || type === 'backup.corrupt')
    return {
      type,
      data: {
        backup: '20261205T010000Z-ab12',
        database: 'CustomerDB',
        server: 'prod-pg01',
        status: type === 'backup.failed' ? 'failed' : 'corrupt',
        reason: 'toc.dat does not match its SHA-256',
        actor: 'worker',
      },
    } as EventFacts;
  if (type === 'drill.passed' || type === 'drill.failed')
    return {
      type,
      data: {
        drill: 9,
        status: type === 'drill.passed' ? 'passed' : 'failed',
        database: 'CustomerDB',
        team: 'team-alpha',
        backup: '20261205T010000Z-ab12',
        target: 'dev-pg01',
        trigger: 'schedule',
        requester: 'scheduler',
        actor: 'worker',
        durationMs: 61_000,
        restoreMs: 50_000,
        failedChecks: type === 'drill.failed' ? ['rls enabled'] : [],
        error: type === 'drill.failed' ? 'x'.repeat(100_000) : null,
        errorStep: type === 'drill.failed' ? 'verify' : null,
        keptDatabase: type === 'drill.failed' ? 'customer__lb_drill_9' : null,
      },
    } as EventFacts;
  if (type === 'lifeboat.test') return { type, data: { channel: 'card', actor: 'dana' } } as EventFacts;
  if (type === 'schema.drift')
    return {
      type,
      data: {
        database: 'CustomerDB',
        report: '7',
        differences: 30,
        objects: Array.from({ length: 20 }, (_, i) => `added column public.customers.c${i}`),
        actor: 'scheduler',
      },
    } as EventFacts;
  if (type === 'slo.breached' || type === 'slo.recovered')
    return {
      type,
      data: {
        database: 'CustomerDB',
        slo: 'backup_freshness',
        message: `CustomerDB has no verified backup from the last 8h: ${'x'.repeat(100_000)}`,
        openedAt: '2026-12-05T09:00:00.000Z',
        closedAt: type === 'slo.recovered' ? '2026-12-05T10:00:00.000Z' : null,
      },
    } as EventFacts;
  if (type === 'dr.declared' || type === 'dr.recovered' || type === 'dr.failed')
    return {
      type,
      data: {
        incident: 3,
        database: 'CustomerDB',
        team: 'team-alpha',
        status: type.slice(3),
        source: 'alertmanager',
        reason: 'PostgresDown',
        alert: 'PostgresDown',
        actor: 'alertmanager',
        startedAt: '2026-12-05T01:00:00.000Z',
        recoveryPoint: 'backup 20261205T000000Z-ab12',
        errorStep: type === 'dr.failed' ? 'restore' : null,
        error: type === 'dr.failed' ? 'x'.repeat(100_000) : null,
        rpoAchievedSeconds: 3600,
        rtoAchievedSeconds: 5400,
        misses: ['RPO missed: 1h of data lost'],
        kept: null,
      },
    } as EventFacts;
  return { type, data: run } as EventFacts;
}

/** The parser's complaints about a card: unknown types, bad values, failed validations. */
function complaints(card: unknown): string[] {
  const ctx = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card as object, ctx);
  const out: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) out.push(ctx.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) out.push(e.message);
  return out;
}

describe('Teams cards, as the Adaptive Cards parser reads them', () => {
  test('the parser catches an unknown element and an unknown action', () => {
    expect(
      complaints({
        type: 'AdaptiveCard',
        version: '1.4',
        body: [{ type: 'TextBlock', text: 'x' }, { type: 'Chart' }],
        actions: [{ type: 'Action.Launch', title: 'go' }],
      }).length,
    ).toBeGreaterThanOrEqual(2);
  });

  test.each(NOTIFY_TYPES)('%s: a valid card in the Workflows envelope', (type) => {
    let message: Message;
    try {
      message = composeMessage(eventOf(type), { catalog, publicUrl: 'https://lb.example' });
    } catch (err) {
      throw new Error(`cannot compose ${type}: ${(err as Error).message}`);
    }
    const envelope = renderTeams(message, 'msg_1') as {
      type: string;
      attachments: Array<{ contentType: string; content: { version: string } }>;
    };
    expect(envelope.type).toBe('message');
    expect(envelope.attachments).toHaveLength(1);
    expect(envelope.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(complaints(envelope.attachments[0]!.content)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(envelope))).toBeLessThan(28 * 1024);
  });
});
