// `lifeboat masking scan <database>` (through the API): columns that look like personal data,
// each marked `!` when no masking rule covers it. Exit 1 when one is uncovered, so a pipeline can
// run the scan as a check, like drift.
import type { Command } from 'commander';
import type { MaskingScanResult, ScanFinding } from '../../contract/masking.js';
import { LifeboatError } from '../../errors.js';
import { apiClient } from '../client.js';
import { cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

function parseSampleRows(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new LifeboatError('invalid_request', `invalid --sample-rows "${text}"`, {
      hint: 'use a whole number between 1 and 10000',
    });
  }
  return n;
}

function table(findings: readonly ScanFinding[]): string {
  const rows = [
    ['', 'TABLE', 'COLUMN', 'KIND', 'FOUND BY', 'CONFIDENCE', 'MASKING'],
    ...findings.map((f) => [
      f.covered ? '' : '!',
      f.table,
      f.column,
      f.kind,
      f.by,
      `${Math.round(f.confidence * 100)}%`,
      (f.covered ? 'rule' : 'NO RULE') + (f.declaredSensitive ? ', declared sensitive' : ''),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function summary(r: MaskingScanResult): string {
  const n = r.findings.length;
  if (n === 0) return `${r.database}: no column looks like personal data`;
  const head = `${table(r.findings)}\n\n${r.database}: ${n} column${n === 1 ? '' : 's'} look${n === 1 ? 's' : ''} like personal data`;
  if (r.uncovered === 0) return `${head}; every one has a masking rule`;
  return (
    `${head}; ${r.uncovered} ha${r.uncovered === 1 ? 's' : 've'} no masking rule (marked !)\n` +
    `HINT: add a rule for each under databases.${r.database}.masking.rules in lifeboat.yaml`
  );
}

export function registerMaskingCommands(program: Command): void {
  const masking = program.command('masking').description('find personal data and check masking coverage');
  masking
    .command('scan <database>')
    .description(
      'find columns that likely hold personal data, by name and by sampled values (exit 1 if one has no masking rule)',
    )
    .option('--sample-rows <n>', 'non-null values sampled per column (default 200)', parseSampleRows)
    .action(async (database: string, o: { sampleRows?: number }, cmd: Command) => {
      const ctx = cliContext(cmd);
      const r = await apiClient(ctx).request<MaskingScanResult>(
        'POST',
        `/api/v1/databases/${encodeURIComponent(database)}/masking/scan`,
        o.sampleRows === undefined ? {} : { sampleRows: o.sampleRows },
      );
      emit(ctx, r, () => summary(r));
      if (r.uncovered > 0) process.exitCode = EXIT.failed;
    });
}
