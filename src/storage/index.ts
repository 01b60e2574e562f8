// Opens the storage a backup policy names: one driver per `type` in lifeboat.yaml's `storage:`.
import type { StorageConfig } from '../catalog/types.js';
import type { Secret } from '../lib/secret.js';
import { FilesystemStorage } from './filesystem.js';
import { S3Storage } from './s3.js';
import type { Storage } from './storage.js';

export { FilesystemStorage } from './filesystem.js';
export { validateKey, validatePrefix } from './keys.js';
export { S3Storage } from './s3.js';
export type { ReadOptions, Storage, StorageExtras, StorageKind, StorageRequired, WriteOptions } from './storage.js';

/** A storage entry as written in lifeboat.yaml (snake_case keys), secrets already resolved. */
export type StorageSpec =
  | { type: 'filesystem'; path: string }
  | {
      type: 's3';
      bucket: string;
      endpoint?: string;
      region?: string;
      prefix?: string;
      force_path_style?: boolean;
      access_key_id?: Secret;
      secret_access_key?: Secret;
    };

export function openStorage(name: string, config: StorageSpec): Storage {
  switch (config.type) {
    case 'filesystem':
      return new FilesystemStorage({ name, root: config.path });
    case 's3':
      return new S3Storage({
        name,
        bucket: config.bucket,
        endpoint: config.endpoint,
        region: config.region,
        prefix: config.prefix,
        forcePathStyle: config.force_path_style,
        accessKeyId: config.access_key_id,
        secretAccessKey: config.secret_access_key,
      });
    default: {
      const never: never = config;
      throw new Error(`unknown storage type ${JSON.stringify(never)}`);
    }
  }
}

/** The same, from the catalog's parsed form (`catalog.storage[name]`). */
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
