// Shared fixtures for the transformer tests: columns of the common types and two keys.
import type { ColumnInfo } from '../../src/masking/column.js';
import { Secret } from '../../src/lib/secret.js';

export const KEY = new Secret('test-masking-key-one', 'test:key1');
export const OTHER_KEY = new Secret('test-masking-key-two', 'test:key2');

export function col(type: string, over: Partial<ColumnInfo> = {}): ColumnInfo {
  return { table: 'public.customers', name: 'c', type, maxLength: null, nullable: true, unique: false, ...over };
}
