#!/usr/bin/env node
// The `lifeboat` binary: runs the compiled CLI (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('lifeboat: the CLI is not built yet.\nHINT: run `npm ci` (or `npm run build`) in the lifeboat checkout first.\n');
  process.exit(2);
}
await import(entry.href);
