// The configuration a running Lifeboat acts on, and the file it came from. The server, the worker
// and the reaper read `current` for each request or job, never a copy taken at start, so that
// `lifeboat config reload` (or SIGHUP) can swap in an edited lifeboat.yaml without a restart. A
// reload validates the new file completely first: an invalid file changes nothing and its
// ConfigError says why. The file's hash tells when the file on disk is not the one in force.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Env, parseConfig, readConfigText } from './load.js';
import type { Catalog } from './types.js';

export interface Reloaded {
  catalog: Catalog;
  /** False when the file is byte for byte the one already in force (nothing was swapped). */
  changed: boolean;
  loadedAt: Date;
}

/** Called after each swap, e.g. to make the scheduler follow the new file. */
export type ReloadListener = (catalog: Catalog) => Promise<void>;

export class LiveCatalog {
  readonly file: string;
  readonly #env: Env;
  #current: Catalog;
  #hash: string;
  #loadedAt: Date;
  readonly #listeners: ReloadListener[] = [];
  /** Reloads run one at a time (a SIGHUP and an API call may arrive together). */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string, env: Env, catalog: Catalog, hash: string) {
    this.file = file;
    this.#env = env;
    this.#current = catalog;
    this.#hash = hash;
    this.#loadedAt = new Date();
  }

  /** Loads `file` (throws a ConfigError when it is invalid, as loadConfig does). */
  static load(file: string, env: Env): LiveCatalog {
    const path = resolve(file);
    const text = readConfigText(path);
    const catalog = parseConfig(text.toString('utf8'), { file: path, baseDir: dirname(path), env });
    return new LiveCatalog(path, env, catalog, hashOf(text));
  }

  /** The configuration in force now. Read it per request or job; never keep it longer. */
  get current(): Catalog {
    return this.#current;
  }

  get loadedAt(): Date {
    return this.#loadedAt;
  }

  onReload(listener: ReloadListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Reads the file again and, when it is valid, puts it in force and tells the listeners.
   * Throws (a ConfigError for an invalid file) with the configuration in force unchanged.
   */
  reload(): Promise<Reloaded> {
    const next = this.#queue.then(
      () => this.#reloadNow(),
      () => this.#reloadNow(),
    );
    this.#queue = next.catch(() => {});
    return next;
  }

  async #reloadNow(): Promise<Reloaded> {
    const text = readConfigText(this.file);
    const hash = hashOf(text);
    if (hash === this.#hash) return { catalog: this.#current, changed: false, loadedAt: this.#loadedAt };
    const catalog = parseConfig(text.toString('utf8'), {
      file: this.file,
      baseDir: dirname(this.file),
      env: this.#env,
    });
    this.#current = catalog;
    this.#hash = hash;
    this.#loadedAt = new Date();
    for (const listener of this.#listeners) await listener(catalog);
    return { catalog, changed: true, loadedAt: this.#loadedAt };
  }

  /** When the file on disk is not the one in force (edited, or gone): the note that says so. */
  staleNote(): string | undefined {
    let hash: string | undefined;
    try {
      hash = hashOf(readFileSync(this.file));
    } catch {
      hash = undefined;
    }
    if (hash === this.#hash) return undefined;
    return `${this.file} changed on disk since it was loaded at ${this.#loadedAt.toISOString()}; run \`lifeboat config reload\` or send SIGHUP to the server to load it`;
  }
}

/**
 * `deps` with a `catalog` property that reads `config.current` at each access: what the API, the
 * job handlers and the reaper are given, so that each request or job sees the configuration in
 * force when it runs. (Spreading such an object copies the catalog of that moment: do it per
 * request or job, as the job handlers do.)
 */
export function readingCatalog<T extends object>(deps: T, config: LiveCatalog): T & { readonly catalog: Catalog } {
  return Object.defineProperty(deps, 'catalog', { get: () => config.current, enumerable: true }) as T & {
    readonly catalog: Catalog;
  };
}

function hashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
