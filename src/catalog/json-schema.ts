// The JSON Schema of lifeboat.yaml, for editors (completion, hover, red squiggles before
// `lifeboat config validate`). Generated from the zod schema so the two never disagree; the
// input side is described, so keys with defaults are optional as they are in the file.
import { z } from 'zod';
import { configSchema } from './schema.js';

export const CONFIG_SCHEMA_ID = 'urn:lifeboat:config:v1';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'lifeboat.yaml',
    description: 'Lifeboat catalog: teams, users, servers, storage, databases, notification channels and policy',
    ...schema,
  };
}
