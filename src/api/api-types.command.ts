/**
 * `npm run api:types`: writes the portal's generated API types; with `--check`, only says whether the committed
 * file is current (exit 1 when not, naming the command that fixes it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { API_TYPES_FILE, apiTypesSource } from './api-types.js';

/** The committed file's text, '' when there is none yet. */
function committedText(): string {
  try {
    return readFileSync(API_TYPES_FILE, 'utf8');
  } catch {
    return '';
  }
}

const source = await apiTypesSource();
if (process.argv.includes('--check')) {
  if (committedText() !== source) {
    process.stderr.write(
      `${API_TYPES_FILE} is out of date with the API's routes: run \`npm run api:types\` and commit the result.\n`,
    );
    process.exit(1);
  }
  process.stdout.write('API types are current.\n');
} else {
  writeFileSync(API_TYPES_FILE, source);
  process.stdout.write(`Wrote ${API_TYPES_FILE}\n`);
}
