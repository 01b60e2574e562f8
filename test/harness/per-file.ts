// Loaded before each test file: whatever the file started is stopped when it ends, and a file
// that leaves a PostgreSQL process behind fails (the global teardown double-checks the run).
import { afterAll } from 'vitest';
import { stopAllClusters } from './cluster.js';
import { stopAllStores } from './store.js';

afterAll(async () => {
  await stopAllStores();
  await stopAllClusters();
});
