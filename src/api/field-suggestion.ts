/**
 * "Did you mean" for a field name a client sent that the route does not know: `password` -> `sipPassword`,
 * `displayname` -> `displayName`, `emial` -> `email`. Written here rather than taken from a library because it is
 * a dozen lines over a handful of names per request, and the one fit in node_modules (fast-levenshtein) is an
 * unmaintained transitive dependency of the linter.
 */

/**
 * The known field closest to an unknown one, when one is close enough to be a likely slip.
 * @example suggestField('password', ['sipPassword', 'email']) // 'sipPassword'
 */
export function suggestField(unknown: string, known: readonly string[]): string | undefined {
  const wanted = unknown.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === wanted);
  if (exact) return exact;
  // A part of the name (password for sipPassword, phone for phoneNumber).
  const containing = known.filter(
    (k) => wanted.length >= 4 && (k.toLowerCase().includes(wanted) || wanted.includes(k.toLowerCase())),
  );
  if (containing.length === 1) return containing[0];
  let best: { field: string; distance: number } | undefined;
  for (const field of known) {
    const distance = editDistance(wanted, field.toLowerCase());
    if (!best || distance < best.distance) best = { field, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(wanted.length / 3)) ? best.field : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The message for unknown fields of one object, naming each and the likely intended field.
 * @example unknownFieldsMessage(['password'], ['sipPassword']) // 'unknown field `password`; did you mean `sipPassword`?'
 */
export function unknownFieldsMessage(unknown: readonly string[], known: readonly string[]): string {
  return unknown
    .map((field) => {
      const suggestion = suggestField(field, known);
      return suggestion
        ? `unknown field \`${field}\`; did you mean \`${suggestion}\`?`
        : `unknown field \`${field}\` (this route takes ${known.map((k) => `\`${k}\``).join(', ') || 'no fields'})`;
    })
    .join('; ');
}
