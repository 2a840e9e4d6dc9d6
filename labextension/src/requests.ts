/**
 * Calls to the `kernelkit_lab` server extension (routes under `/kernelkit/`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** A migrator note: where and what changed (or needs a look). */
export interface IMigrateNote {
  line: number;
  column: number;
  level: 'INFO' | 'WARNING' | 'ERROR' | string;
  message: string;
}

/** Where the migrator could not parse the code. */
export interface IParseError {
  line: number;
  column: number;
  message: string;
}

/** The answer of `POST /kernelkit/migrate` (and of each cell of `/kernelkit/migrate_notebook`). */
export interface IMigrateResult {
  code: string;
  changed: boolean;
  notes: IMigrateNote[];
  error: IParseError | null;
}

/** One cell of the answer of `POST /kernelkit/migrate_notebook`. */
export interface IMigrateCellResult extends IMigrateResult {
  id: string;
}

async function post<T>(route: string, body: unknown): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'kernelkit', route);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { method: 'POST', body: JSON.stringify(body) },
      settings
    );
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.message) || text || response.statusText;
    throw new Error(`kernelkit: /kernelkit/${route} answered ${response.status}: ${message}`);
  }
  return data as T;
}

/**
 * Migrates one piece of Keras 1 source with the server's migrator.
 *
 * Arguments:
 *   code: the source.
 *
 * Returns:
 *   The migrator's answer. Raises (rejects) when the server extension is missing or answers an error status.
 */
export function migrateCode(code: string): Promise<IMigrateResult> {
  return post<IMigrateResult>('migrate', { code });
}

/**
 * Migrates several cells together (an import in one cell is known in the next).
 *
 * Arguments:
 *   cells: the cells' ids and sources.
 *
 * Returns:
 *   One answer per cell, in order.
 */
export async function migrateCells(
  cells: { id: string; source: string }[]
): Promise<IMigrateCellResult[]> {
  const answer = await post<{ cells: IMigrateCellResult[] }>('migrate_notebook', { cells });
  return answer.cells;
}
