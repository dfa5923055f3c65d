import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Owner only: the data directory holds the database, the secret key and the first-start credentials. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Makes the data directory 0700 and every file in it 0600, creating it when missing. Run at every start, so an
 * installation made before this rule (0755 / 0644) is fixed too. Files the process writes later are covered by
 * the CLI's umask (077) and by `secureSqliteFile` for SQLite's own files.
 *
 * @example secureDataDir(config.dataDir);
 */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodSync(file, DIR_MODE);
    else if (entry.isFile()) chmodSync(file, FILE_MODE);
  }
}

/**
 * Creates the SQLite database file 0600 when missing and sets it (and an existing WAL, SHM or journal) to 0600
 * before SQLite opens it: SQLite creates its WAL and SHM files with the permissions of the database file, so
 * they follow. A new directory for the file is created 0700.
 */
export function secureSqliteFile(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (!existsSync(file)) closeSync(openSync(file, 'a', FILE_MODE));
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(file + suffix)) chmodSync(file + suffix, FILE_MODE);
  }
}
