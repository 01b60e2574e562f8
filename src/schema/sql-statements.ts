// Splitting a SQL file into its statements, each with the line it starts on, the way psql reads a
// script: semicolons inside quotes, quoted identifiers, dollar-quoted bodies, comments (block
// comments nest) and SQL-standard function bodies (BEGIN ATOMIC … END) do not end a statement.
// psql meta-commands (a line starting with a backslash) are returned as such, never run: a
// reference file is applied by Lifeboat, not by psql, and `\!` would run a shell. Pure.

export type ScriptItem =
  { kind: 'statement'; sql: string; line: number } | { kind: 'meta'; command: string; line: number };

const IDENT = /[A-Za-z0-9_$\u0080-\uffff]/;
const TAG_START = /[A-Za-z_\u0080-\uffff]/;
const ROUTINE = /^create\s+(or\s+replace\s+)?(function|procedure)\b/i;

export function splitSqlScript(text: string): ScriptItem[] {
  const out: ScriptItem[] = [];
  let i = 0;
  let line = 1;
  let start = -1; // where the current statement's first significant character is
  let startLine = 0;
  let depth = 0; // BEGIN ATOMIC … END nesting inside a CREATE FUNCTION/PROCEDURE
  let routine: boolean | undefined;
  const n = text.length;
  const flush = (end: number) => {
    if (start >= 0) out.push({ kind: 'statement', sql: text.slice(start, end).trim(), line: startLine });
    start = -1;
    depth = 0;
    routine = undefined;
  };
  const begin = () => {
    if (start < 0) {
      start = i;
      startLine = line;
    }
  };
  const advance = (to: number) => {
    for (; i < to && i < n; i++) if (text[i] === '\n') line++;
  };
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    // a meta-command: a backslash first on a line, outside any statement
    if (ch === '\\' && start < 0) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out.push({ kind: 'meta', command: text.slice(i, stop).trim(), line });
      i = stop;
      continue;
    }
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      let nest = 0;
      while (i < n) {
        if (text[i] === '/' && text[i + 1] === '*') {
          nest++;
          advance(i + 2);
        } else if (text[i] === '*' && text[i + 1] === '/') {
          nest--;
          advance(i + 2);
          if (nest === 0) break;
        } else advance(i + 1);
      }
      continue;
    }
    if (ch === ';') {
      if (depth > 0) {
        i++;
        continue;
      }
      flush(i + 1);
      i++;
      continue;
    }
    begin();
    if (ch === "'") {
      const prev = text[i - 1];
      const escapes = (prev === 'e' || prev === 'E') && !IDENT.test(text[i - 2] ?? ' ');
      advance(i + 1);
      while (i < n) {
        if (escapes && text[i] === '\\') advance(i + 2);
        else if (text[i] === "'" && text[i + 1] === "'") advance(i + 2);
        else if (text[i] === "'") {
          advance(i + 1);
          break;
        } else advance(i + 1);
      }
      continue;
    }
    if (ch === '"') {
      advance(i + 1);
      while (i < n) {
        if (text[i] === '"' && text[i + 1] === '"') advance(i + 2);
        else if (text[i] === '"') {
          advance(i + 1);
          break;
        } else advance(i + 1);
      }
      continue;
    }
    if (ch === '$' && !IDENT.test(text[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
      if (m && (m[1] === undefined || TAG_START.test(m[1][0]!))) {
        const tag = m[0];
        const close = text.indexOf(tag, i + tag.length);
        advance(close < 0 ? n : close + tag.length);
        continue;
      }
    }
    if (/[A-Za-z_]/.test(ch) && !IDENT.test(text[i - 1] ?? ' ')) {
      let j = i;
      while (j < n && IDENT.test(text[j]!)) j++;
      const word = text.slice(i, j).toLowerCase();
      routine ??= ROUTINE.test(text.slice(start, start + 200));
      if (routine) {
        if (word === 'begin' && /^\s+atomic\b/i.test(text.slice(j, j + 20))) depth++;
        else if (depth > 0 && word === 'case') depth++;
        else if (depth > 0 && word === 'end') depth--;
      }
      advance(j);
      continue;
    }
    i++;
  }
  flush(n);
  return out;
}

/** The line of a character `position` (1-based, as PostgreSQL reports it) of a statement starting on `line`. */
export function lineAt(statement: { sql: string; line: number }, position: number): number {
  const before = statement.sql.slice(0, Math.max(0, position - 1));
  return statement.line + (before.match(/\n/g)?.length ?? 0);
}
