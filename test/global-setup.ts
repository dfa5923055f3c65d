// Global test setup. Starts shared real peers (PostgreSQL) once per run; see test/support/.
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
