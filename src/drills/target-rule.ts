// Which server a drill may restore into, as a pure rule: a drill creates and drops a scratch
// database, so never on a production server (whatever the config or the request says).
import type { Catalog, ServerConfig } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';

export function drillTarget(catalog: Catalog, database: string, asked: string | undefined): ServerConfig {
  const name = asked ?? catalog.databases[database]?.drill?.target;
  if (name === undefined) {
    throw new LifeboatError('invalid_request', `no drill target for ${database}`, {
      hint: `pass --target <server>, or set databases.${database}.drill.target in lifeboat.yaml`,
    });
  }
  const server = catalog.servers[name];
  if (!server) {
    throw new LifeboatError('not_found', `no server ${name}`, {
      hint: `servers: ${Object.keys(catalog.servers).join(', ')}`,
    });
  }
  if (server.tier === 'production') {
    const others = Object.values(catalog.servers)
      .filter((s) => s.tier !== 'production' && s.engine === server.engine)
      .map((s) => s.name);
    throw new LifeboatError(
      'destination_not_allowed',
      `unable to drill ${database} on ${name}: it is a production server`,
      {
        hint:
          'a drill creates and drops a scratch database: aim it at a staging, development or test server' +
          (others.length ? ` (${others.join(', ')})` : ''),
      },
    );
  }
  return server;
}
