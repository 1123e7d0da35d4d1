/**
 * Loaded with `node --import`: appends the URL of each module that Node's ESM loader loads to the
 * file PLAZA_TEST_LOADED_MODULES names, one a line (test/server/startup-imports.test.ts).
 */
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.PLAZA_TEST_LOADED_MODULES, url + '\\n');
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
