// What `lifeboat start` prints: commands that work as typed from the directory it was started in.
import { describe, expect, test } from 'vitest';
import { type BannerInput, cliInvocation, shellQuote, startupBanner } from '../../src/cli/banner.js';

describe('cliInvocation', () => {
  test.each([
    [
      'started in the clone',
      { bin: '/src/lifeboat/bin/lifeboat.js', cwd: '/src/lifeboat', onPath: undefined },
      'node bin/lifeboat.js',
    ],
    [
      'in a project that installed it',
      { bin: '/p/node_modules/lifeboat/bin/lifeboat.js', cwd: '/p', onPath: undefined },
      'node node_modules/lifeboat/bin/lifeboat.js',
    ],
    [
      'started elsewhere',
      { bin: '/src/lifeboat/bin/lifeboat.js', cwd: '/home/ann', onPath: undefined },
      'node /src/lifeboat/bin/lifeboat.js',
    ],
    [
      'a sibling directory is not below',
      { bin: '/src/lifeboat/bin/lifeboat.js', cwd: '/src/lifeboat-other', onPath: undefined },
      'node /src/lifeboat/bin/lifeboat.js',
    ],
    [
      'this very binary is on the PATH',
      {
        bin: '/usr/lib/node_modules/lifeboat/bin/lifeboat.js',
        cwd: '/home/ann',
        onPath: '/usr/lib/node_modules/lifeboat/bin/lifeboat.js',
      },
      'lifeboat',
    ],
    [
      'another lifeboat is on the PATH',
      {
        bin: '/src/lifeboat/bin/lifeboat.js',
        cwd: '/home/ann',
        onPath: '/usr/lib/node_modules/lifeboat/bin/lifeboat.js',
      },
      'node /src/lifeboat/bin/lifeboat.js',
    ],
    [
      'a path with a space is quoted',
      { bin: '/home/ann/my code/lifeboat/bin/lifeboat.js', cwd: '/tmp', onPath: undefined },
      "node '/home/ann/my code/lifeboat/bin/lifeboat.js'",
    ],
  ])('%s', (_name, input, expected) => {
    expect(cliInvocation(input)).toBe(expected);
  });

  test('shellQuote keeps plain words and quotes the rest, quotes included', () => {
    expect(shellQuote('http://127.0.0.1:7500')).toBe('http://127.0.0.1:7500');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});

const demo: BannerInput = {
  mode: 'all',
  url: 'http://127.0.0.1:7420',
  configFile: '/src/lifeboat/.lifeboat/demo/lifeboat.yaml',
  demo: true,
  store: 'embedded in /src/lifeboat/.lifeboat/pg',
  cli: 'node bin/lifeboat.js',
  exports: {},
  users: ['jsmith', 'alice'],
  warnings: [],
  pid: 4242,
};

describe('startupBanner', () => {
  test('the demo on the default port: no URL to export, a token command that fails loudly', () => {
    expect(startupBanner(demo)).toBe(
      [
        'Lifeboat is running at http://127.0.0.1:7420',
        '  config: /src/lifeboat/.lifeboat/demo/lifeboat.yaml (demo workspace)',
        '  store:  embedded in /src/lifeboat/.lifeboat/pg',
        '  reload: node bin/lifeboat.js config reload, or kill -HUP 4242 (after editing lifeboat.yaml)',
        '  stop:   Ctrl-C',
        '  web UI: http://127.0.0.1:7420/ (sign in with a token from `node bin/lifeboat.js token issue <user>`)',
        '  try, in another terminal in this directory:',
        '    export LIFEBOAT_TOKEN="$(node bin/lifeboat.js token issue alice)" && test -n "$LIFEBOAT_TOKEN"',
        '    node bin/lifeboat.js backup run CustomerDB --wait',
        '',
      ].join('\n'),
    );
  });

  test('another port and data directory are exported; keys not acted on yet are named', () => {
    const text = startupBanner({
      ...demo,
      url: 'http://127.0.0.1:7500',
      exports: { LIFEBOAT_URL: 'http://127.0.0.1:7500', LIFEBOAT_DATA_DIR: '/var/lib/lifeboat' },
      warnings: [{ path: 'servers.pg.labels', line: 9, column: 40, code: 'not_acted_on', message: 'm' }],
    });
    expect(text.split('\n').slice(3, 11)).toEqual([
      '  note:   1 key of lifeboat.yaml is not acted on yet (servers.pg.labels, line 9)',
      '  reload: node bin/lifeboat.js config reload, or kill -HUP 4242 (after editing lifeboat.yaml)',
      '  stop:   Ctrl-C',
      '  web UI: http://127.0.0.1:7500/ (sign in with a token from `node bin/lifeboat.js token issue <user>`)',
      '  try, in another terminal in this directory:',
      '    export LIFEBOAT_URL=http://127.0.0.1:7500',
      '    export LIFEBOAT_DATA_DIR=/var/lib/lifeboat',
      '    export LIFEBOAT_TOKEN="$(node bin/lifeboat.js token issue alice)" && test -n "$LIFEBOAT_TOKEN"',
    ]);
  });

  test('the demo prints a sign-in link per user, aligned', () => {
    const text = startupBanner({
      ...demo,
      signInLinks: [
        { user: 'jsmith', url: 'http://127.0.0.1:7420/sign-in?code=lbc_a' },
        { user: 'alice', url: 'http://127.0.0.1:7420/sign-in?code=lbc_b' },
      ],
    });
    expect(text.split('\n').slice(5, 8)).toEqual([
      '  web UI: open a sign-in link (each works once, for 10 minutes):',
      '    jsmith  http://127.0.0.1:7420/sign-in?code=lbc_a',
      '    alice   http://127.0.0.1:7420/sign-in?code=lbc_b',
    ]);
  });

  test('an own config names its users; a worker has no API to try', () => {
    const own = startupBanner({ ...demo, demo: false, configFile: '/etc/lifeboat.yaml', users: ['ann', 'bob'] });
    expect(own.split('\n').slice(-5)).toEqual([
      '  try, in another terminal in this directory:',
      '    export LIFEBOAT_TOKEN="$(node bin/lifeboat.js token issue USER)" && test -n "$LIFEBOAT_TOKEN"',
      '    (USER: one of ann, bob)',
      '    node bin/lifeboat.js whoami',
      '',
    ]);
    expect(startupBanner({ ...demo, mode: 'worker', url: undefined })).toBe(
      [
        'Lifeboat worker is running',
        '  config: /src/lifeboat/.lifeboat/demo/lifeboat.yaml (demo workspace)',
        '  store:  embedded in /src/lifeboat/.lifeboat/pg',
        '  reload: kill -HUP 4242 (after editing lifeboat.yaml)',
        '  stop:   Ctrl-C',
        '',
      ].join('\n'),
    );
  });
});
