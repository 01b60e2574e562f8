// Opens the storage a backup policy names: one driver per `type` in lifeboat.yaml's `storage:`.
import type { StorageConfig } from '../catalog/types.js';
import { FilesystemStorage } from './filesystem.js';
import { S3Storage } from './s3.js';
import type { Storage } from './storage.js';

export { FilesystemStorage } from './filesystem.js';
export { validateKey, validatePrefix } from './keys.js';
export { S3Storage } from './s3.js';
export type { ReadOptions, Storage, StorageExtras, StorageKind, StorageRequired, WriteOptions } from './storage.js';

/** A storage from the catalog's parsed form (`catalog.storage[name]`). */
export function openCatalogStorage(config: StorageConfig): Storage {
  switch (config.type) {
    case 'filesystem':
      return new FilesystemStorage({ name: config.name, root: config.path });
    case 's3':
      return new S3Storage(config);
    default: {
      const never: never = config;
      throw new Error(`unknown storage type ${JSON.stringify(never)}`);
    }
  }
}
