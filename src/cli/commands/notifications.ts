// `lifeboat notifications list [--failed|--status <s>]|show <id>|retry <id>|test <channel>`
// (through the API; DBA admins and admins, auditors read).
import type { Command } from 'commander';
import type {
  NotificationDetail,
  NotificationDoc,
  NotificationList,
  NotificationTestResponse,
} from '../../contract/notifications.js';
import { LifeboatError } from '../../errors.js';
import { apiClient } from '../client.js';
import { cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

const STATUSES = ['pending', 'delivered', 'dead'];

function table(rows: readonly NotificationDoc[]): string {
  if (rows.length === 0) return 'no notifications';
  const cells = [
    ['ID', 'STATUS', 'CHANNEL', 'EVENT', 'SUBJECT', 'ATTEMPTS', 'LAST ERROR'],
    ...rows.map((n) => [
      String(n.id),
      n.status,
      `${n.channel} (${n.kind})`,
      n.event,
      n.subject,
      `${n.attempts}/${n.maxAttempts}`,
      n.lastError ?? '',
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function detail(n: NotificationDetail): string {
  return [
    `notification ${n.id}: ${n.status}  ${n.event} → ${n.channel} (${n.kind})`,
    `  subject ${n.subject}, key ${n.idempotencyKey}, created ${n.createdAt}`,
    `  attempts ${n.attempts}/${n.maxAttempts}` +
      (n.deliveredAt ? `, delivered ${n.deliveredAt}` : n.nextAttemptAt ? `, next ${n.nextAttemptAt}` : ''),
    ...n.history.map(
      (h) =>
        `  #${h.attempt} ${h.at} ${h.outcome}${h.code === undefined ? '' : ` ${h.code}`}${h.error ? `: ${h.error}` : ''}`,
    ),
    '',
  ].join('\n');
}

export function registerNotificationCommands(program: Command): void {
  const n = program.command('notifications').description('the notifications outbox: messages, retries, tests');
  n.command('list')
    .description('messages, newest first')
    .option('--failed', 'only dead-lettered messages (as --status dead)')
    .option('--status <status>', `only messages in this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (o: { failed?: boolean; status?: string; limit?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const status = o.failed ? 'dead' : o.status;
      if (status !== undefined && !STATUSES.includes(status)) {
        throw new LifeboatError('invalid_request', `invalid --status "${status}"`, {
          hint: `use one of ${STATUSES.join(', ')}`,
        });
      }
      const q = new URLSearchParams();
      if (status) q.set('status', status);
      if (o.limit) q.set('limit', o.limit);
      const r = await apiClient(ctx).request<NotificationList>('GET', `/api/v1/notifications?${q.toString()}`);
      emit(ctx, r, () => table(r.notifications));
    });
  n.command('show <id>')
    .description('one message, with every attempt (status codes, redacted errors)')
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<NotificationDetail>(
        'GET',
        `/api/v1/notifications/${encodeURIComponent(id)}`,
      );
      emit(ctx, r, () => detail(r));
    });
  n.command('retry <id>')
    .description('send a dead-lettered message again (same idempotency key)')
    .action(async (id: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<NotificationDoc>(
        'POST',
        `/api/v1/notifications/${encodeURIComponent(id)}/retry`,
        {},
      );
      emit(ctx, r, () => `notification ${r.id} will be sent again to ${r.channel}`);
    });
  n.command('test <channel>')
    .description('send a test message to a channel now and report the answer (exit 1 if it was not accepted)')
    .action(async (channel: string, _o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<NotificationTestResponse>(
        'POST',
        `/api/v1/notifications/test/${encodeURIComponent(channel)}`,
        {},
      );
      const a = r.attempt;
      emit(ctx, r, () =>
        r.status === 'delivered'
          ? `${channel}: accepted${a?.code === undefined ? '' : ` (${a.code})`}`
          : `${channel}: not accepted${a?.code === undefined ? '' : ` (${a.code})`}: ${a?.error ?? ''}`,
      );
      if (r.status !== 'delivered') process.exitCode = EXIT.failed;
    });
}
