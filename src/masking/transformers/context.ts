// What every transformer factory receives, and the one way they report a misconfigured rule:
// a config error that names the rule and the column, raised when the plan is built — before the
// first byte is restored — never half-way through a table.
import type { Transform } from '../../catalog/types.js';
import { LifeboatError } from '../../errors.js';
import { type ColumnInfo, columnLabel } from '../column.js';
import type { Keyed } from './keyed.js';

export interface RuleSpec {
  readonly transform: Transform;
  readonly options?: Readonly<Record<string, unknown>> | undefined;
}

/** A value in, a masked value out; NULL is `null`. */
export type ValueTransformer = ((value: string | null) => string | null) & {
  /** The same transform on a value given as its bytes, when a faster way exists (see AsciiTransformer). */
  readonly ascii?: AsciiTransformer;
};

/**
 * A transformer's fast path for the commonest field: the bytes [start, end) of `buf` are all
 * ASCII with no backslash, so they are the value itself (latin1, UTF-8 and COPY text agree) and
 * need no decoding into a string. It must return exactly what the transformer returns for that
 * value (the tests compare both ways on every kind of value).
 */
export type AsciiTransformer = (buf: Uint8Array, start: number, end: number) => string | null;

export interface TransformContext {
  readonly rule: RuleSpec;
  readonly column: ColumnInfo;
  /** Present whenever the transform needs it (the registry checks). */
  readonly keyed: Keyed | undefined;
  readonly options: Readonly<Record<string, unknown>>;
}

/** `rule public.customers.email (token)`: how every message names a rule. */
export function ruleLabel(rule: Pick<RuleSpec, 'transform'>, column: Pick<ColumnInfo, 'table' | 'name'>): string {
  return `rule ${columnLabel(column)} (${rule.transform})`;
}

export function optionError(
  ctx: Pick<TransformContext, 'rule' | 'column'>,
  message: string,
  hint?: string,
): LifeboatError {
  return new LifeboatError(
    'config_invalid',
    `${ruleLabel(ctx.rule, ctx.column)}: ${message}`,
    hint === undefined ? {} : { hint },
  );
}

export function requireKey(ctx: TransformContext): Keyed {
  if (ctx.keyed === undefined) {
    throw optionError(
      ctx,
      `transform ${ctx.rule.transform} needs the masking key`,
      'set masking.key (e.g. key: env:MASKING_KEY): fakes and tokens are derived from it, so without it they could be recomputed by anyone',
    );
  }
  return ctx.keyed;
}

export function stringOption(ctx: TransformContext, name: string, fallback?: string): string {
  const v = ctx.options[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw optionError(ctx, `option ${name} is required`);
  }
  if (typeof v !== 'string') throw optionError(ctx, `option ${name} must be a string`);
  return v;
}

export function numberOption(ctx: TransformContext, name: string, fallback: number, min: number, max: number): number {
  const v = ctx.options[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw optionError(ctx, `option ${name} must be a number from ${min} to ${max}`);
  }
  return v;
}
