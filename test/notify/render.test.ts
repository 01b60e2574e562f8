// Each channel's rendering, on its exact output; routing; the legacy Teams URL refused at load.
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/catalog/load.js';
import type { DrillFacts, RunFacts } from '../../src/notify/events.js';
import { composeMessage, type Message } from '../../src/notify/message.js';
import { renderEmail } from '../../src/notify/render/email.js';
import { renderSlack } from '../../src/notify/render/slack.js';
import { renderTeams, TEAMS_MAX_BYTES } from '../../src/notify/render/teams.js';
import { renderWebhook } from '../../src/notify/render/webhook.js';
import { idempotencyKey, outboxMessages, peopleOf, routeEvent } from '../../src/notify/route.js';
import { runNotifyType } from '../../src/notify/run-events.js';
import { RUN_EVENTS, RUN_STATUSES } from '../../src/restore/lifecycle.js';

const ENV = {
  PROD: 'postgres://lb:s3cret-pg@127.0.0.1/x',
  SLACK: 'https://hooks.slack.example/services/T000/B000/slack-token-xyz',
  TEAMS: 'https://prod.westeurope.logic.azure.com/workflows/abc?sig=teams-sig-123',
  HOOK: 'https://receiver.example/hook',
  HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  SMTP_PASSWORD: 'smtp-pass-789',
};

const YAML = `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice, bob], notify: [chat, card, mail, hook] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice:  { email: alice@example.com,  roles: [db-owner] }
  bob:    { email: bob@example.com,    roles: [db-owner] }
  dana:   { email: dana@example.com,   roles: [dba-admin] }
servers:
  prod-pg01: { engine: postgres, tier: production,  url: env:PROD }
  dev-pg01:  { engine: postgres, tier: development, url: env:PROD }
notifications:
  chat: { type: slack, url: env:SLACK }
  card: { type: teams, url: env:TEAMS, events: [restore.failed] }
  mail: { type: email, to: [alpha@example.com], from: lifeboat@example.com, smtp: { host: 127.0.0.1, port: 2525, user: lb, password: env:SMTP_PASSWORD } }
  hook: { type: webhook, url: env:HOOK, secret: env:HOOK_SECRET, max_attempts: 3 }
  dba: { type: webhook, url: env:HOOK, all_teams: true, min_severity: error }
  quiet: { type: slack, url: env:SLACK, min_severity: warning }
server: { public_url: "https://lifeboat.example/" }
`;
const catalog = parseConfig(YAML, { baseDir: '/tmp', env: ENV });

const run: RunFacts = {
  run: 42,
  status: 'completed',
  database: 'CustomerDB',
  team: 'team-alpha',
  source: 'prod-pg01',
  destination: 'dev-pg01/customer',
  tier: 'development',
  requester: 'jsmith',
  actor: 'worker',
  backupId: null,
  pointInTime: null,
  justification: 'debug <ticket> & "stuff"',
  approvalsRequired: 1,
  startAt: null,
  durationMs: 125_000,
  error: null,
  errorStep: null,
};

const completed = composeMessage(
  { type: 'restore.completed', data: run },
  { catalog, publicUrl: 'https://lb.example' },
);

describe('the message', () => {
  test('completed: title, summary with the duration, facts, link, command', () => {
    expect(completed).toEqual({
      type: 'restore.completed',
      title: 'Restore #42 of CustomerDB into dev-pg01/customer completed',
      summary: 'dev-pg01/customer now holds the copy of CustomerDB, restored in 2m5s.',
      facts: [
        { label: 'Database', value: 'CustomerDB' },
        { label: 'Source', value: 'prod-pg01' },
        { label: 'Destination', value: 'dev-pg01/customer (development)' },
        { label: 'Requester', value: 'jsmith' },
        { label: 'Team', value: 'team-alpha' },
        { label: 'Point in time', value: 'latest backup' },
        { label: 'Status', value: 'completed' },
        { label: 'Duration', value: '2m5s' },
        { label: 'Justification', value: 'debug <ticket> & "stuff"' },
      ],
      severity: 'info',
      critical: false,
      link: { label: 'Open the run', url: 'https://lb.example/runs/42' },
      command: 'lifeboat restore show 42',
    });
  });
  test('awaiting approval names the approvers, links to approve, gives the approve command', () => {
    const m = composeMessage(
      { type: 'restore.submitted', data: { ...run, status: 'pending_approval', durationMs: null } },
      { catalog, publicUrl: 'https://lb.example' },
    );
    expect(m.title).toBe('Restore #42 of CustomerDB into dev-pg01/customer is awaiting approval');
    expect(m.summary).toBe(
      'jsmith asks for a copy of CustomerDB from prod-pg01 in dev-pg01/customer. 1 approval needed from alice, bob.',
    );
    expect(m.facts).toContainEqual({ label: 'Approvers', value: 'alice, bob' });
    expect(m.link).toEqual({ label: 'Review and approve', url: 'https://lb.example/runs/42' });
    expect(m.command).toBe('lifeboat restore approve 42');
  });
  test('a failure carries the reason, redacted of every secret of the configuration', () => {
    const m = composeMessage(
      {
        type: 'restore.failed',
        data: {
          ...run,
          status: 'failed',
          tier: 'production',
          error: `cannot connect to ${ENV.PROD}`,
          errorStep: 'restore',
        },
      },
      { catalog, publicUrl: 'https://lb.example' },
    );
    expect(m.severity).toBe('error');
    expect(m.critical).toBe(true);
    expect(m.facts.at(-1)).toEqual({ label: 'Reason', value: 'cannot connect to ***' });
    expect(JSON.stringify(m)).not.toContain('s3cret-pg');
  });
});

describe('Slack', () => {
  test('Block Kit with a header, fields, a button to the run, context, and the text fallback', () => {
    expect(renderSlack(completed, 'msg_1')).toEqual({
      text: 'Restore #42 of CustomerDB into dev-pg01/customer completed: dev-pg01/customer now holds the copy of CustomerDB, restored in 2m5s. <https://lb.example/runs/42|Open the run>',
      blocks: [
        {
          type: 'header',
          text: {
            type: 'plain_text',
            text: 'Restore #42 of CustomerDB into dev-pg01/customer completed',
            emoji: false,
          },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'dev-pg01/customer now holds the copy of CustomerDB, restored in 2m5s.' },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Database*\nCustomerDB' },
            { type: 'mrkdwn', text: '*Source*\nprod-pg01' },
            { type: 'mrkdwn', text: '*Destination*\ndev-pg01/customer (development)' },
            { type: 'mrkdwn', text: '*Requester*\njsmith' },
            { type: 'mrkdwn', text: '*Team*\nteam-alpha' },
            { type: 'mrkdwn', text: '*Point in time*\nlatest backup' },
            { type: 'mrkdwn', text: '*Status*\ncompleted' },
            { type: 'mrkdwn', text: '*Duration*\n2m5s' },
            { type: 'mrkdwn', text: '*Justification*\ndebug &lt;ticket&gt; &amp; "stuff"' },
          ],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Open the run' },
              url: 'https://lb.example/runs/42',
              style: 'primary',
            },
          ],
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: '`lifeboat restore show 42`  ·  lifeboat · restore.completed · msg_1' }],
        },
      ],
    });
  });
  test('a failure into production mentions @channel', () => {
    const p = renderSlack({ ...completed, severity: 'error', critical: true }, 'k');
    expect(p.text.startsWith('<!channel> ')).toBe(true);
  });
});

describe('Teams', () => {
  test('an Adaptive Card 1.4 in the message envelope', () => {
    expect(renderTeams(completed, 'msg_1')).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                text: 'Restore #42 of CustomerDB into dev-pg01/customer completed',
                weight: 'Bolder',
                size: 'Medium',
                wrap: true,
              },
              {
                type: 'TextBlock',
                text: 'dev-pg01/customer now holds the copy of CustomerDB, restored in 2m5s.',
                wrap: true,
              },
              {
                type: 'FactSet',
                facts: completed.facts.map((f) => ({ title: f.label, value: f.value })),
              },
              {
                type: 'TextBlock',
                text: 'lifeboat restore show 42 · lifeboat · restore.completed · msg_1',
                size: 'Small',
                isSubtle: true,
                wrap: true,
              },
            ],
            msteams: { width: 'Full' },
            actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: 'https://lb.example/runs/42' }],
          },
        },
      ],
    });
  });
  test('a huge error message is cut so the card stays under 28 KB', () => {
    const huge: Message = {
      ...completed,
      severity: 'error',
      facts: [
        ...completed.facts,
        { label: 'Reason', value: 'x'.repeat(200_000) },
        { label: 'More', value: 'é'.repeat(50_000) },
      ],
    };
    const card = renderTeams(huge, 'k');
    const bytes = Buffer.byteLength(JSON.stringify(card));
    expect(bytes).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(bytes).toBeLessThan(28 * 1024);
    expect(JSON.stringify(card)).toContain('xxxx…');
    expect(JSON.stringify(card)).toContain('"color":"Attention"');
  });
});

describe('email', () => {
  test('subject, text part and escaped HTML part, Message-ID from the key', () => {
    const e = renderEmail(completed, 'msg_1', ['alpha@example.com', 'jsmith@example.com']);
    expect(e.to).toEqual(['alpha@example.com', 'jsmith@example.com']);
    expect(e.subject).toBe('[Lifeboat] Restore #42 of CustomerDB into dev-pg01/customer completed');
    expect(e.messageId).toBe('<msg_1@lifeboat>');
    expect(e.text).toBe(
      [
        'Restore #42 of CustomerDB into dev-pg01/customer completed',
        '',
        'dev-pg01/customer now holds the copy of CustomerDB, restored in 2m5s.',
        '',
        'Database:      CustomerDB',
        'Source:        prod-pg01',
        'Destination:   dev-pg01/customer (development)',
        'Requester:     jsmith',
        'Team:          team-alpha',
        'Point in time: latest backup',
        'Status:        completed',
        'Duration:      2m5s',
        'Justification: debug <ticket> & "stuff"',
        '',
        'Open the run: https://lb.example/runs/42',
        'From the command line: lifeboat restore show 42',
        '',
        '-- Lifeboat (restore.completed, msg_1)',
        '',
      ].join('\n'),
    );
    expect(e.html).toContain(
      '<tr><th align="left" style="padding:2px 12px 2px 0">Justification</th><td style="padding:2px 0">debug &lt;ticket&gt; &amp; &quot;stuff&quot;</td></tr>',
    );
    expect(e.html).not.toContain('<ticket>');
    expect(e.html).toContain('<p><a href="https://lb.example/runs/42">Open the run</a></p>');
  });
});

describe('drills', () => {
  const drill: DrillFacts = {
    drill: 9,
    status: 'failed',
    database: 'CustomerDB',
    team: 'team-alpha',
    backup: '20261205T010000Z-ab12',
    target: 'dev-pg01',
    trigger: 'manual',
    requester: 'alice',
    actor: 'worker',
    durationMs: 61_000,
    restoreMs: 50_000,
    failedChecks: ['rls enabled', 'policies present'],
    error: 'check "rls enabled" did not pass (got false); check "policies present" did not pass (got "3")',
    errorStep: 'verify',
    keptDatabase: 'customer__lb_drill_9',
  };
  const ctx = { catalog, publicUrl: 'https://lb.example' };
  test('a failed drill names its failed checks and the kept scratch database', () => {
    const m = composeMessage({ type: 'drill.failed', data: drill }, ctx);
    expect(m).toMatchObject({ title: 'Drill #9 of CustomerDB failed', severity: 'error', critical: false });
    expect(m.summary).toBe(
      'Backup 20261205T010000Z-ab12 of CustomerDB restored into dev-pg01, but the checks "rls enabled", "policies present" did not pass. The scratch database customer__lb_drill_9 is kept on dev-pg01 for inspection.',
    );
    expect(renderEmail(m, 'msg_9', ['a@example.com']).text).toBe(
      [
        'Drill #9 of CustomerDB failed',
        '',
        m.summary,
        '',
        'Database:      CustomerDB',
        'Backup:        20261205T010000Z-ab12',
        'Target:        dev-pg01',
        'Team:          team-alpha',
        'Requested by:  alice',
        'Status:        failed',
        'Restore:       50s',
        'Duration:      1m1s',
        'Failed checks: rls enabled, policies present',
        `Reason:        ${drill.error}`,
        'Kept database: customer__lb_drill_9 on dev-pg01',
        '',
        'From the command line: lifeboat drill show 9',
        '',
        '-- Lifeboat (drill.failed, msg_9)',
        '',
      ].join('\n'),
    );
  });
  test('a drill that failed outside its checks names the step; a passed one says so', () => {
    const lost = composeMessage(
      {
        type: 'drill.failed',
        data: {
          ...drill,
          failedChecks: [],
          keptDatabase: null,
          errorStep: 'worker',
          error: 'worker lost: no heartbeat',
        },
      },
      ctx,
    );
    expect(lost.summary).toBe(
      'The drill of backup 20261205T010000Z-ab12 of CustomerDB on dev-pg01 failed in the step worker.',
    );
    expect(lost.facts).toContainEqual({ label: 'Reason', value: 'worker lost: no heartbeat' });
    const passed = composeMessage(
      {
        type: 'drill.passed',
        data: { ...drill, status: 'passed', failedChecks: [], error: null, errorStep: null, keptDatabase: null },
      },
      ctx,
    );
    expect(passed).toMatchObject({ title: 'Drill #9 of CustomerDB passed', severity: 'info' });
    expect(passed.summary).toBe(
      'Backup 20261205T010000Z-ab12 of CustomerDB restored into dev-pg01 and passed every check in 1m1s; the evidence is kept.',
    );
  });
  test("routing: the owning team's channels; a failure also to the DBAs (their channel, their email)", () => {
    const routes = (type: 'drill.passed' | 'drill.failed', requester = 'alice') =>
      routeEvent({ type, data: { ...drill, requester } }, catalog).map((r) => [r.channel.name, r.to]);
    expect(routes('drill.passed')).toEqual([
      ['chat', undefined],
      ['mail', ['alpha@example.com', 'alice@example.com']],
      ['hook', undefined],
    ]);
    expect(routes('drill.failed', 'scheduler')).toEqual([
      ['chat', undefined],
      ['mail', ['alpha@example.com', 'dana@example.com']],
      ['hook', undefined],
      ['dba', undefined],
    ]);
  });
});

describe('webhook', () => {
  test('version 1: type, id (the key), timestamp, data', () => {
    const body = renderWebhook(
      completed,
      'msg_1',
      { createdAt: new Date('2026-12-05T01:00:00Z'), data: run },
      (t) => t,
    );
    expect(body).toEqual({
      version: 1,
      type: 'restore.completed',
      id: 'msg_1',
      timestamp: '2026-12-05T01:00:00.000Z',
      data: {
        ...run,
        severity: 'info',
        critical: false,
        title: 'Restore #42 of CustomerDB into dev-pg01/customer completed',
        summary: 'dev-pg01/customer now holds the copy of CustomerDB, restored in 2m5s.',
        url: 'https://lb.example/runs/42',
      },
    });
  });
});

describe('routing', () => {
  test("the team's channels, each with its event filter; email to the channel's list and the people concerned", () => {
    const routes = (type: 'restore.completed' | 'restore.failed') =>
      routeEvent({ type, data: run }, catalog).map((r) => [r.channel.name, r.to]);
    expect(routes('restore.completed')).toEqual([
      ['chat', undefined],
      ['mail', ['alpha@example.com', 'jsmith@example.com']],
      ['hook', undefined],
    ]);
    expect(routes('restore.failed')).toEqual([
      ['chat', undefined],
      ['card', undefined],
      ['mail', ['alpha@example.com', 'jsmith@example.com', 'dana@example.com']],
      ['hook', undefined],
      ['dba', undefined],
    ]);
  });
  test('a channel hearing every team takes only what is severe enough', () => {
    const beta = parseConfig(
      YAML.replace('team-alpha: {', 'team-beta: { members: [], approvers: [], notify: [quiet] }\n  team-alpha: {'),
      { baseDir: '/tmp', env: ENV },
    );
    const routes = (type: 'restore.completed' | 'restore.failed' | 'restore.cancelled') =>
      routeEvent({ type, data: { ...run, team: 'team-beta' } }, beta).map((r) => r.channel.name);
    expect(routes('restore.completed')).toEqual([]);
    expect(routes('restore.cancelled')).toEqual(['quiet']);
    expect(routes('restore.failed')).toEqual(['quiet', 'dba']);
  });

  test('who each event concerns', () => {
    expect(peopleOf({ type: 'restore.submitted', data: { ...run, status: 'pending_approval' } }, catalog)).toEqual([
      'alice',
      'bob',
    ]);
    expect(peopleOf({ type: 'restore.approved', data: run }, catalog)).toEqual(['jsmith']);
    expect(
      peopleOf(
        {
          type: 'backup.failed',
          data: {
            backup: 'b1',
            database: 'CustomerDB',
            server: 'prod-pg01',
            status: 'failed',
            reason: null,
            actor: 'w',
          },
        },
        catalog,
      ),
    ).toEqual(['dana']);
  });
  test('stored messages: a stable key per event and channel, the channel max_attempts, the public URL', () => {
    const event = { id: 7, type: 'restore.completed' as const, subject: 'run:42', data: run, createdAt: new Date(0) };
    const ms = outboxMessages(event, catalog, catalog.publicUrl ?? 'x');
    expect(ms.map((m) => [m.channel, m.kind, m.key, m.maxAttempts])).toEqual([
      ['chat', 'slack', idempotencyKey(7, 'chat'), 8],
      ['mail', 'email', idempotencyKey(7, 'mail'), 8],
      ['hook', 'webhook', idempotencyKey(7, 'hook'), 3],
    ]);
    expect(idempotencyKey(7, 'chat')).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(idempotencyKey(7, 'chat')).not.toBe(idempotencyKey(8, 'chat'));
    expect(JSON.stringify(ms)).toContain('https://lifeboat.example/runs/42');
    for (const secret of Object.values(ENV)) expect(JSON.stringify(ms)).not.toContain(secret);
  });
});

describe('which run changes notify', () => {
  test('every event from every status: dry runs notify nobody, an approval only when it is the last', () => {
    const table: string[] = [];
    for (const event of RUN_EVENTS)
      for (const from of ['previewed', 'pending_approval', 'running'] as const)
        for (const to of ['pending_approval', 'approved', 'completed'] as const) {
          const t = runNotifyType(event, from, to);
          if (t) table.push(`${event} ${from}→${to}: ${t}`);
        }
    expect(table.filter((l) => l.startsWith('approve '))).toEqual([
      'approve previewed→approved: restore.approved',
      'approve pending_approval→approved: restore.approved',
      'approve running→approved: restore.approved',
    ]);
    for (const quiet of ['source', 'scope', 'check', 'preview', 'enqueue'] as const)
      for (const from of RUN_STATUSES) expect(runNotifyType(quiet, from, from)).toBeUndefined();
    expect(runNotifyType('expire', 'previewed', 'expired')).toBeUndefined();
    expect(runNotifyType('expire', 'pending_approval', 'expired')).toBe('restore.expired');
    expect(runNotifyType('cancel', 'draft', 'cancelled')).toBeUndefined();
    expect(runNotifyType('cancel', 'queued', 'cancelled')).toBe('restore.cancelled');
    expect(runNotifyType('fail', 'running', 'failed')).toBe('restore.failed');
    expect(runNotifyType('complete', 'running', 'completed')).toBe('restore.completed');
    expect(runNotifyType('start', 'queued', 'running')).toBe('restore.started');
    expect(runNotifyType('submit', 'previewed', 'pending_approval')).toBe('restore.submitted');
  });
});

describe('config', () => {
  test.each([
    'https://outlook.office.com/webhook/abc@def/IncomingWebhook/x/y',
    'https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/x/y',
  ])('a retired Office 365 connector URL is a config error with a hint, never echoing it: %s', (url) => {
    const yaml = 'version: 1\nnotifications:\n  card: { type: teams, url: env:TEAMS }\n';
    let error: unknown;
    try {
      parseConfig(yaml, { baseDir: '/tmp', env: { TEAMS: url } });
    } catch (err) {
      error = err;
    }
    const issues = (error as { issues: Array<{ path: string; message: string; hint?: string }> }).issues;
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'notifications.card.url',
        message: 'this is an Office 365 connector URL, which Microsoft has retired',
        hint: 'create a Workflows webhook in Teams ("Post to a channel when a webhook request is received") and use its URL',
      }),
    ]);
    expect(JSON.stringify(issues)).not.toContain('IncomingWebhook');
  });
  test('the defaults: 8 attempts, every event, STARTTLS on ports other than 465', () => {
    expect(catalog.notifications.chat).toEqual({
      name: 'chat',
      type: 'slack',
      url: expect.anything(),
      maxAttempts: 8,
      minSeverity: 'info',
      allTeams: false,
    });
    const mail = catalog.notifications.mail!;
    expect(mail.type === 'email' && mail.smtp.secure).toBe(false);
    expect(catalog.publicUrl).toBe('https://lifeboat.example');
  });
});
