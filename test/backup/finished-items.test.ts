// pg_dump's finished items, as the storing side waits for them: a wait ends at the next item (so
// a finished file is hashed at once) or at its deadline, and every waiter is woken.
import { describe, expect, it } from 'vitest';
import { FinishedItems } from '../../src/backup/store-files.js';

describe('FinishedItems', () => {
  it('wakes every waiter when an item finishes, and remembers it', async () => {
    const items = new FinishedItems();
    const waits = [items.next(600_000), items.next(600_000)];
    expect(items.has('3358')).toBe(false);
    items.add('3358');
    await Promise.all(waits); // long before their deadline: woken by the item
    expect(items.has('3358')).toBe(true);
    expect(items.has('3357')).toBe(false);
  });

  it('ends a wait at its deadline when nothing finishes', async () => {
    await new FinishedItems().next(10);
  });
});
