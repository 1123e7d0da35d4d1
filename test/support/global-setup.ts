/** Services shared by every test file are started here, once per run. */
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
