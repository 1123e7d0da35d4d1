#!/usr/bin/env node
/**
 * `npm test`'s first step: the programs the tests start that npm cannot install. DynamoDB Local
 * needs a Java runtime, the multi-server tests redis-server, the web app's end-to-end test
 * Chromium, the video pipeline ffmpeg, and the user pool's tests the AWS CLI. What is missing is installed with apt-get when this
 * user may (root, or sudo without a password); otherwise the one command to run is printed.
 * PLAZA_SKIP_SYSTEM_PACKAGES=1 skips the check.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const needs = [
  { package: 'openjdk-17-jre-headless', why: 'DynamoDB Local', found: () => onPath('java') },
  { package: 'redis-server', why: 'the multi-server tests', found: () => onPath('redis-server') },
  { package: 'chromium', why: "the web app's end-to-end test", found: () => executable('/usr/bin/chromium') },
  { package: 'ffmpeg', why: 'the video pipeline', found: () => onPath('ffmpeg') && onPath('ffprobe') },
  { package: 'awscli', why: 'the AWS CLI conformance tests', found: () => onPath('aws') },
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && executable(`${dir}/${command}`));
}

function run(command, args) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  return (
    spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      .status === 0
  );
}

if (process.env.PLAZA_SKIP_SYSTEM_PACKAGES === '1') process.exit(0);
const missing = needs.filter((need) => !need.found());
if (missing.length === 0) process.exit(0);

const packages = missing.map((need) => need.package);
console.log(`The tests need ${missing.map((need) => `${need.package} (${need.why})`).join(', ')}.`);
const root = process.getuid?.() === 0;
const sudo = !root && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const apt = (args) => (root ? run('apt-get', args) : run('sudo', ['-n', 'apt-get', ...args]));
if (onPath('apt-get') && (root || sudo)) {
  if (apt(['update', '-qq']) && apt(['install', '-y', '-qq', '--no-install-recommends', ...packages])) {
    const still = needs.filter((need) => !need.found());
    if (still.length === 0) process.exit(0);
    console.error(`Still missing after apt-get: ${still.map((need) => need.package).join(', ')}.`);
  } else {
    console.error('apt-get failed (see above).');
  }
  process.exit(1);
}
console.error(
  `Install them, then run npm test again:\n\n  sudo apt-get install -y --no-install-recommends ${packages.join(' ')}\n\n` +
    '(or set PLAZA_SKIP_SYSTEM_PACKAGES=1 to run the tests anyway; those that need them fail).',
);
process.exit(1);
