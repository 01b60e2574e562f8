// How a location inside lifeboat.yaml is written in messages: `databases.CustomerDB.owner`,
// `teams.team-alpha.members[1]`, `databases["Sales DB"]`. Names that could be misread (spaces,
// dots, quotes) are quoted so that the path always reads back to exactly one node.

export type PathSegment = string | number;

const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
