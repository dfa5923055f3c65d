/**
 * The object without its undefined properties: a zod-parsed patch or filter (optional fields come back as
 * `undefined`) turned into what the store expects, where an absent key means "leave as it is" or "no filter".
 *
 * @example withoutUndefined({ name: 'HQ', proxyPort: undefined }) // { name: 'HQ' }
 */
export function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
