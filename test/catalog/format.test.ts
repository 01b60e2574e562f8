// The one-line-per-issue form printed by `lifeboat config validate`.
import { expect, test } from 'vitest';
import { formatIssues } from '../../src/catalog/format.js';

test('one line per issue: file:line:column, path, code, message and hint', () => {
  const text = formatIssues(
    [
      {
        path: 'databases.CustomerDB.owner',
        line: 12,
        column: 7,
        code: 'unknown_reference',
        message: 'team "team-beta" is not defined',
        hint: 'defined teams: team-alpha',
      },
      { path: '', line: 3, column: 1, code: 'yaml_syntax', message: 'Tabs are not allowed as indentation' },
    ],
    'lifeboat.yaml',
  );
  expect(text).toBe(
    [
      'lifeboat.yaml:12:7  databases.CustomerDB.owner  unknown_reference  team "team-beta" is not defined  (HINT: defined teams: team-alpha)',
      'lifeboat.yaml:3:1  (file)  yaml_syntax  Tabs are not allowed as indentation',
    ].join('\n'),
  );
});

test('no issues, no lines', () => {
  expect(formatIssues([], 'lifeboat.yaml')).toBe('');
});
