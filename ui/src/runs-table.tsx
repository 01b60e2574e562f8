// A list of runs as a table: each links to its detail page.
import type { RunDoc } from '../../src/contract/runs.js';
import { ago } from './format.js';
import { Link } from './router.js';
import { Status } from './ui.js';

export function RunsTable({ runs, empty, caption }: { runs: RunDoc[]; empty: string; caption: string }) {
  if (runs.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="scroll-x">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Database → destination</th>
            <th scope="col">Status</th>
            <th scope="col">Requested by</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/runs/${r.id}`}>#{r.id}</Link>
              </td>
              <td>
                {r.database} → {r.destination.target}
              </td>
              <td>
                <Status status={r.status} />
              </td>
              <td>{r.requestedBy}</td>
              <td>{ago(r.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
