// Makes `require('vscode')` load the test double (vscode-double.ts) instead of VS Code's API.
// Every test file imports this module first.
import Module from 'node:module';
import * as path from 'node:path';

const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = loader._resolveFilename;
const doublePath = path.join(__dirname, 'vscode-double.js');

loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? doublePath : resolveFilename.call(this, request, ...rest);
};
