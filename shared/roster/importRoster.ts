// Use case: import the roster from a file, the welcome emails sent at once (the CLI, tests, the demo seed). The
// desk's upload imports with importRosterFile and leaves them to the sweeper.
import { deliverNow } from './deliverNow';
import { type ImportResult, importRosterFile } from './importRosterFile';

export type { ImportResult, ImportSummary } from './importRosterFile';

export function importRoster(file: Buffer | string): Promise<ImportResult> {
  return importRosterFile(file, deliverNow);
}
