// A server with physical backups, and its repository, by name: clear errors for the rest.
import type { Catalog, StorageConfig } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { isPhysical, type PhysicalServer } from './pgbackrest.js';

export function getServerOf(catalog: Catalog, name: string): PhysicalServer {
  const server = catalog.servers[name];
  if (!server) {
    throw new LifeboatError('not_found', `no server named ${name}`, {
      hint: `servers in lifeboat.yaml: ${Object.keys(catalog.servers).join(', ') || 'none'}`,
    });
  }
  if (!isPhysical(server)) {
    const physical = Object.values(catalog.servers)
      .filter(isPhysical)
      .map((s) => s.name);
    throw new LifeboatError('invalid_request', `server ${name} has no physical backups`, {
      hint: `add a pgbackrest: section (stanza, pg_data, repo) to servers.${name} in lifeboat.yaml${physical.length ? `; servers with physical backups: ${physical.join(', ')}` : ''}`,
    });
  }
  return server;
}

export function getRepo(catalog: Catalog, server: PhysicalServer): StorageConfig {
  const storage = catalog.storage[server.pgbackrest.repo];
  if (!storage) {
    throw new LifeboatError(
      'invalid_request',
      `storage ${server.pgbackrest.repo} of server ${server.name} is not defined`,
      {
        hint: 'define it under storage: in lifeboat.yaml',
      },
    );
  }
  return storage;
}

/** Servers with physical backups. */
export function physicalServers(catalog: Catalog): PhysicalServer[] {
  return Object.values(catalog.servers).filter(isPhysical);
}
