// npm test: builds the client and its tests (build.mjs tests), then runs every out/test/*.test.js
// with Node's test runner. Arguments filter the test files by name ("status" runs statusView.test.js).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = spawnSync(process.execPath, [path.join(root, 'client-vscode', 'scripts', 'build.mjs'), 'tests'], { stdio: 'inherit' });
if (build.status !== 0) {
    process.exit(build.status ?? 1);
}

const filters = process.argv.slice(2);
const testDirectory = path.join(root, 'out', 'test');
const files = fs
    .readdirSync(testDirectory)
    .filter(name => name.endsWith('.test.js') && (filters.length === 0 || filters.some(filter => name.includes(filter))))
    .map(name => path.join(testDirectory, name));
if (files.length === 0) {
    console.error(`No test files in ${testDirectory} match ${filters.join(', ')}.`);
    process.exit(1);
}

const run = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
