// The drill checks README.md ships as examples (seed 002's verification pass criteria: Prisma
// migrations present, key tables non-empty, RLS enabled on the listed tables, pg_policies entries
// for them, an org-scoped join) are read from the README itself and run, as a drill runs them,
// against a real database shaped like the seed's (quoted Prisma table names, RLS, policies): each
// passes there, and each fails when what it guards is broken.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyCheck } from '../../src/catalog/types.js';
import { runDrillChecks } from '../../src/drills/checks.js';
import { Secret } from '../../src/lib/secret.js';
import { type FixtureServers, startFixtureServers } from '../harness/fixtures.js';

/** The yaml block of README.md's drill section that follows the seed 002 sentence. */
function readmeExamples(): { verify: VerifyCheck[]; checks: VerifyCheck[] } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf('The checks of a monthly drill runbook (seed 002), as examples');
  expect(at).toBeGreaterThan(0);
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  const doc = parse(block) as {
    databases: Record<string, { verify: VerifyCheck[]; drill: { checks: VerifyCheck[] } }>;
  };
  const db = Object.values(doc.databases)[0]!;
  return { verify: db.verify, checks: db.drill.checks };
}

const RLS = ['Organization', 'Event', 'Workflow', 'WorkflowExecution', 'WorkflowStep'];

/** A database shaped like seed 002's application: Prisma's migrations table, RLS and policies. */
const SCHEMA = `
  create table _prisma_migrations (id text primary key, migration_name text not null);
  insert into _prisma_migrations values ('1', '20240101_init');
  create table "Organization" (id text primary key, name text not null);
  create table "User" (id text primary key, "organizationId" text not null references "Organization"(id));
  create table "Event" (id text primary key, "organizationId" text not null references "Organization"(id));
  create table "Workflow" (id text primary key, "organizationId" text not null references "Organization"(id));
  create table "WorkflowExecution" (id text primary key, "workflowId" text not null references "Workflow"(id));
  create table "WorkflowStep" (id text primary key, "executionId" text not null references "WorkflowExecution"(id));
  insert into "Organization" values ('o1', 'Acme');
  insert into "User" values ('u1', 'o1');
  insert into "Event" values ('e1', 'o1');
  insert into "Workflow" values ('w1', 'o1');
  ${RLS.map(
    (t) => `alter table "${t}" enable row level security;
  create policy "${t}_org" on "${t}" using (current_setting('app.org', true) is not null);`,
  ).join('\n  ')}
`;

let servers: FixtureServers;
let n = 0;
let dbname: string;
beforeAll(async () => {
  servers = await startFixtureServers();
});
beforeEach(async () => {
  dbname = `seed002_checks_${process.pid}_${n++}`;
  await servers.dev.createDatabase(dbname);
  await servers.dev.query(dbname, SCHEMA);
});

afterEach(async () => {
  await servers.dev.query('postgres', `drop database if exists "${dbname}" with (force)`);
});

async function verdicts(): Promise<Record<string, boolean>> {
  const { verify, checks } = readmeExamples();
  const results = await runDrillChecks(
    new Secret(servers.dev.url('postgres'), 'test'),
    dbname,
    [],
    [...verify, ...checks],
  );
  return Object.fromEntries(results.slice(1).map((r) => [r.name, r.passed]));
}

const ALL_PASS = {
  'migrations applied': true,
  'key tables non-empty': true,
  'rls enabled': true,
  'policies present': true,
  'org-scoped join sanity': true,
};

describe("README's seed 002 drill checks", () => {
  it('are the five of the seed, and each passes on a database that meets the criteria', async () => {
    expect(await verdicts()).toEqual(ALL_PASS);
  });

  const broken: Array<[string, string, string]> = [
    ['migrations applied', 'the migrations table is empty', 'delete from _prisma_migrations'],
    ['key tables non-empty', 'a key table is empty', 'delete from "User"'],
    ['rls enabled', 'RLS is off on one listed table', 'alter table "WorkflowStep" disable row level security'],
    ['policies present', 'one listed table has no policy', 'drop policy "Event_org" on "Event"'],
    ['org-scoped join sanity', 'the join no longer holds', 'alter table "Event" rename column "organizationId" to org'],
  ];
  it.each(broken)('%s fails when %s', async (check, _what, breakIt) => {
    await servers.dev.query(dbname, breakIt);
    expect(await verdicts()).toEqual({ ...ALL_PASS, [check]: false });
  });
});
