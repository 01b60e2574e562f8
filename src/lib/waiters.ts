// Promises that wait for something to happen, by key, each with a deadline: `wait` resolves at
// the next `wake` of its key or after `ms`, whichever comes first. Used where a loop would
// otherwise poll: the store's change feed, pg_dump's finished items.

/** `wake` resolves the waiters of one key, `wakeAll` everyone. */
export class Waiters {
  readonly #byKey = new Map<string, Set<() => void>>();

  wait(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#byKey.get(key) ?? new Set();
      this.#byKey.set(key, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size && this.#byKey.get(key) === set) this.#byKey.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  wake(key: string): void {
    for (const done of [...(this.#byKey.get(key) ?? [])]) done();
  }

  wakeAll(): void {
    for (const key of [...this.#byKey.keys()]) this.wake(key);
  }
}
