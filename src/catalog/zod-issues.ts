// Translates zod's issues into ConfigIssues an operator can act on: our issue codes, messages
// in YAML words ("a mapping", "a list"), the line and column of the node, and a hint. Values
// are described by type only in type errors, because the field may be a secret written inline.
import type { z } from 'zod';
import { type ConfigIssue, type IssueCode, isIssueCode } from './config-error.js';
import { formatPath, type PathSegment } from './config-path.js';
import { closest, keysAt } from './schema-walk.js';
import type { Anchor, YamlSource } from './yaml-source.js';

type ZodIssue = z.core.$ZodIssue;

interface Draft {
  path: PathSegment[];
  anchor: Anchor;
  code: IssueCode;
  message: string;
  hint?: string | undefined;
}

export function fromZodIssues(issues: readonly ZodIssue[], source: YamlSource, schema: z.ZodType): ConfigIssue[] {
  const drafts = issues.flatMap((issue) => draftsOf(issue, [], source.value, schema));
  return drafts.map((d) => ({
    path: formatPath(d.path),
    ...source.position(d.path, d.anchor),
    code: d.code,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
  }));
}

function draftsOf(issue: ZodIssue, prefix: PathSegment[], root: unknown, schema: z.ZodType): Draft[] {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  const actual = valueAt(root, path);
  const last = String(path.at(-1) ?? '');
  const at = (code: IssueCode, message: string, hint?: string, anchor: Anchor = 'node'): Draft[] => [
    { path, anchor, code, message, hint },
  ];

  // A required key that is absent comes as invalid_type, or invalid_value for literals and enums.
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && path.length > 0 && !hasKey(root, path)) {
    return at('missing_key', `missing required key "${last}"`, undefined, 'parent');
  }

  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: [...path, key],
        anchor: 'key',
        code: 'unknown_key',
        message: `unknown key "${key}"`,
        hint: keyHint(key, keysAt(schema, root, path)),
      }));
    case 'invalid_type':
      if (path.length === 0 && !hasKey(root, path)) {
        return at('invalid_type', 'the file is empty', 'start with "version: 1"');
      }
      if (issue.expected === 'int' && typeof actual === 'number') {
        return at('invalid_value', `expected a whole number, got ${actual}`);
      }
      return at('invalid_type', `expected ${expectedName(issue.expected)}, got ${typeName(actual)}`);
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const message =
        options.length === 1
          ? `expected ${options[0]}, got ${show(actual)}`
          : `${show(actual)} is not one of: ${issue.values.join(', ')}`;
      // `transform: null` is YAML's null, not the word: say so rather than list "null" as an option
      const word =
        actual === null || typeof actual === 'boolean' || typeof actual === 'number'
          ? issue.values.find((v): v is string => typeof v === 'string' && v === String(actual))
          : undefined;
      const hint =
        word !== undefined
          ? `YAML reads an unquoted ${word} as ${typeName(actual)}: write "${word}" in quotes`
          : path.length === 1 && last === 'version'
            ? 'this Lifeboat reads lifeboat.yaml version 1'
            : undefined;
      return at('invalid_value', message, hint);
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'array') return at('invalid_value', `needs ${word} ${bound} item${bound === 1 ? '' : 's'}`);
      if (issue.origin === 'string') {
        return at(
          'invalid_value',
          bound === 1 && word === 'at least' ? 'must not be empty' : `must be ${word} ${bound} characters`,
        );
      }
      return at('invalid_value', `must be ${word} ${bound}, got ${show(actual)}`);
    }
    case 'invalid_format': {
      if (issue.format === 'email') return at('invalid_value', `${show(actual)} is not an email address`);
      if (issue.format === 'url') return at('invalid_value', `${show(actual)} is not an http(s) URL`);
      return at('invalid_value', `${show(actual)}: ${issue.message}`);
    }
    case 'invalid_key':
      return at(
        'invalid_name',
        `${show(last)} is not a valid name`,
        'a name starts with a letter and has at most 63 letters, digits, "_", "." or "-"',
        'key',
      );
    case 'invalid_union':
      return unionDrafts(issue, path, root, schema, actual);
    case 'custom': {
      const code = isIssueCode(issue.params?.code) ? issue.params.code : 'invalid_value';
      const hint = typeof issue.params?.hint === 'string' ? issue.params.hint : undefined;
      return at(code, issue.message, hint, code === 'missing_key' ? 'parent' : 'node');
    }
    case 'not_multiple_of':
    case 'invalid_element':
      return at('invalid_value', issue.message);
    default:
      return issue satisfies never;
  }
}

function unionDrafts(
  issue: Extract<ZodIssue, { code: 'invalid_union' }>,
  path: PathSegment[],
  root: unknown,
  schema: z.ZodType,
  actual: unknown,
): Draft[] {
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    // A discriminated union whose tag (type:, engine:) matched no member: the path ends at the tag.
    const options = 'options' in issue && issue.options ? issue.options.join(', ') : '';
    if (!hasKey(root, path)) {
      return [
        {
          path,
          anchor: 'parent',
          code: 'missing_key',
          message: `missing required key "${issue.discriminator}"`,
          hint: `one of: ${options}`,
        },
      ];
    }
    return [{ path, anchor: 'node', code: 'invalid_value', message: `${show(actual)} is not one of: ${options}` }];
  }
  // A plain union: report the member the value was evidently meant to be (the one whose own
  // type matched), rather than every member's complaint.
  const fits = issue.errors.filter((errs) => !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  const best = fits.sort((a, b) => a.length - b.length)[0];
  if (best !== undefined) return best.flatMap((e) => draftsOf(e, path, root, schema));
  const expected = issue.errors.flatMap((errs) =>
    errs.flatMap((e) => (e.code === 'invalid_type' ? [expectedName(e.expected)] : [])),
  );
  const message = `expected ${[...new Set(expected)].join(' or ')}, got ${typeName(actual)}`;
  return [{ path, anchor: 'node', code: 'invalid_type', message }];
}

function keyHint(key: string, known: string[] | undefined): string | undefined {
  if (known === undefined || known.length === 0) return undefined;
  const guess = closest(key, known);
  return guess === undefined ? `known keys here: ${known.join(', ')}` : `did you mean "${guess}"?`;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PathSegment, unknown>)[seg];
  }
  return v;
}

function hasKey(root: unknown, path: readonly PathSegment[]): boolean {
  if (path.length === 0) return root !== undefined && root !== null;
  const parent = valueAt(root, path.slice(0, -1));
  return typeof parent === 'object' && parent !== null && Object.hasOwn(parent, path.at(-1)!);
}

function expectedName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping',
    record: 'a mapping',
  };
  return names[expected] ?? expected;
}

/** The kind of a value, never the value: it may be a secret. */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/** For values that cannot be secrets: enum choices, numbers, emails, names. */
function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
