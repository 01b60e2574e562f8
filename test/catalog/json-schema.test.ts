// The editor JSON Schema: identified, strict at every level, and the PRODUCT.md example
// conforms to it (checked by a small structural validator, enough for the keywords zod emits).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/catalog/json-schema.js';

type Schema = Record<string, unknown>;

/** Returns the paths where `value` does not conform to `schema`. */
function violations(schema: Schema, value: unknown, path = '$'): string[] {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (options === undefined) continue;
    const matching = options.filter((o) => violations(o, value, path).length === 0).length;
    if (key === 'oneOf' ? matching !== 1 : matching === 0) return [`${path}: ${matching} of ${key} match`];
  }
  const out: string[] = [];
  const type = schema.type as string | undefined;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const typeOk =
    type === undefined ||
    type === actual ||
    (type === 'integer' && Number.isInteger(value)) ||
    (type === 'number' && actual === 'number');
  if (!typeOk) return [`${path}: expected ${type}, got ${actual}`];
  if ('const' in schema && schema.const !== value) out.push(`${path}: expected ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: not in enum`);
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
    out.push(`${path}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) out.push(...violations(schema.items as Schema, item, `${path}[${i}]`));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const req of (schema.required ?? []) as string[]) if (!(req in obj)) out.push(`${path}.${req}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const names = schema.propertyNames as Schema | undefined;
      if (names) out.push(...violations(names, k, `${path}{${k}}`));
      if (props[k]) out.push(...violations(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') {
        out.push(...violations(schema.additionalProperties as Schema, v, `${path}.${k}`));
      }
    }
  }
  return out;
}

/** Every object schema in the tree that declares properties. */
function objectSchemas(schema: unknown, out: Schema[] = []): Schema[] {
  if (Array.isArray(schema)) for (const s of schema) objectSchemas(s, out);
  else if (typeof schema === 'object' && schema !== null) {
    const s = schema as Schema;
    if (s.type === 'object' && s.properties !== undefined) out.push(s);
    for (const v of Object.values(s)) objectSchemas(v, out);
  }
  return out;
}

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as Schema;

  test('is a draft 2020-12 schema with an id and a title', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:lifeboat:config:v1');
    expect(schema.title).toBe('lifeboat.yaml');
  });

  test('declares every top-level section, requires only version, and allows no other key', () => {
    expect(Object.keys(schema.properties as Schema)).toEqual([
      'version',
      'teams',
      'users',
      'servers',
      'storage',
      'databases',
      'notifications',
      'policy',
      'audit',
      'dr',
      'server',
    ]);
    expect(schema.required).toEqual(['version']);
    expect(schema.additionalProperties).toBe(false);
  });

  test('every object with declared properties is closed (unknown keys are errors)', () => {
    const objects = objectSchemas(schema);
    expect(objects.length).toBeGreaterThanOrEqual(20);
    expect(objects.filter((o) => o.additionalProperties !== false)).toEqual([]);
  });

  test('the PRODUCT.md example conforms', () => {
    const example = parse(readFileSync(join(import.meta.dirname, 'fixtures', 'product-example.yaml'), 'utf8'));
    expect(violations(schema, example)).toEqual([]);
  });

  test('the validator is not vacuous: a typo and an inline secret are caught', () => {
    const bad = {
      version: 1,
      servers: { pg: { engine: 'postgres', tier: 'prod', url: 'postgres://u:pw@h/db' } },
      databases: { Db: { server: 'pg', name: 'db', owner: 'a', destination: [] } },
    };
    expect(violations(schema, bad)).toEqual([
      '$.servers.pg: 0 of oneOf match',
      '$.databases.Db.destination: not allowed',
    ]);
  });
});
