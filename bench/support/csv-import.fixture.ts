/**
 * The import file of the CSV benches: 10,000 rows of the PBX template as Excel writes them (UTF-8 BOM, CRLF, most
 * numbers without their `+`, some typed with spaces, every 10th an extension number). Row `i` is the user
 * `user<i>@contoso.com` with SIP username `100000 + i`.
 */

/** The DDI of row `i`. */
export const benchNumberOf = (i: number): string => `+4412351${String(i).padStart(5, '0')}`;

/** The whole file, as bytes. */
export function excelImportFile(rows: number): Buffer {
  const lines = ['SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId'];
  for (let i = 0; i < rows; i += 1) {
    const number =
      i % 10 === 9
        ? `+441235100000;ext=${i}`
        : i % 3 === 0
          ? benchNumberOf(i).replace('+44', '+44 ')
          : benchNumberOf(i).slice(1);
    lines.push(`${100_000 + i},User ${i},user${i}@contoso.com,${number},,pw${i},E-${i}`);
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`)]);
}

/** Median of some timings. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
