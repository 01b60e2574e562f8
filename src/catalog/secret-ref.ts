// Secrets in lifeboat.yaml are references, never values: `env:NAME` reads an environment
// variable, `file:PATH` a file (relative to the config file). The document schema checks the
// form; loading swaps in the resolving variant so that each reference becomes a Secret during
// the same validation pass, and a missing variable is reported with all the other issues.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { Secret } from '../lib/secret.js';

const SECRET_REF = /^(?:env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;

/** A secret reference as written in the document (the form only; no I/O). */
export const secretRefSchema = z
  .string()
  .superRefine((value, ctx) => {
    if (SECRET_REF.test(value)) return;
    // The value is never echoed: if it is not a reference, it may well be the secret itself.
    ctx.addIssue({
      code: 'custom',
      message: 'a secret must be a reference (env:NAME or file:PATH), not a value written inline',
      params: {
        code: 'secret_inline',
        hint: 'put the value in an environment variable and write env:NAME, or in a file (relative to lifeboat.yaml) and write file:PATH',
      },
    });
  })
  // The pattern is for editors: the JSON Schema carries it, so an inline secret is flagged while typing.
  .meta({
    description: 'env:NAME (an environment variable) or file:PATH (relative to lifeboat.yaml)',
    pattern: SECRET_REF.source,
  });

export type SecretLookup = { secret: Secret } | { problem: string; hint: string };

/** Reads the value a reference points at. Messages name the variable or file, never the value. */
export function lookupSecret(ref: string, env: Record<string, string | undefined>, baseDir: string): SecretLookup {
  if (ref.startsWith('env:')) {
    const name = ref.slice('env:'.length);
    const value = env[name];
    if (value === undefined || value === '') {
      return {
        problem: `environment variable ${name} is ${value === undefined ? 'not set' : 'empty'}`,
        hint: `set ${name} in the environment of every Lifeboat process that reads this file`,
      };
    }
    return { secret: new Secret(value, ref) };
  }
  const path = resolve(baseDir, ref.slice('file:'.length));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    return {
      problem: `secret file ${path} cannot be read (${reason})`,
      hint: 'paths are relative to the directory of lifeboat.yaml; check that the file exists and is readable',
    };
  }
  // Editors and `echo` add one trailing newline; it is never part of a password or URL.
  const value = text.replace(/\r?\n$/, '');
  if (value === '') return { problem: `secret file ${path} is empty`, hint: 'write the secret into the file' };
  return { secret: new Secret(value, `file:${path}`) };
}

/** The secret reference schema used at load time: validates the form, then resolves to a Secret. */
export function resolvingSecretRef(env: Record<string, string | undefined>, baseDir: string) {
  return secretRefSchema.transform((ref, ctx): Secret => {
    const found = lookupSecret(ref, env, baseDir);
    if ('secret' in found) return found.secret;
    ctx.issues.push({
      code: 'custom',
      input: ref,
      message: found.problem,
      params: { code: 'secret_unreadable', hint: found.hint },
    });
    return z.NEVER;
  });
}
