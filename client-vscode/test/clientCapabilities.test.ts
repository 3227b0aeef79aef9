// The `initialize` the bundled vscode-languageclient really sends, computed by the library itself
// (its features' fillClientCapabilities, not a hand-written copy), sent to the built server over
// stdio. An upgrade of vscode-languageclient that sends a shape the server cannot read fails here:
// the server must answer, and read every capability member it models (nothing logged as unreadable).
import { StubVsCodeVersion } from './any-vscode-stub';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { LanguageClient } from 'vscode-languageclient/node';
import { repositoryRoot, temporaryDirectory } from './fixtures';

const serverDll =
    process.env.LEANASSIST_TEST_SERVER_DLL ||
    [path.join(repositoryRoot, 'server', 'LeanAssist.Server', 'bin', 'Debug', 'net10.0', 'leanassist.dll')].find(file => fs.existsSync(file));
const skip = serverDll ? false : 'Skipped: no built server (set LEANASSIST_TEST_SERVER_DLL, or run `dotnet build` first).';

const bundledVersion = (
    JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8')) as { version: string }
).version;

function computeClientCapabilities(): Record<string, unknown> {
    const client = new LanguageClient('leanAssist', 'LeanAssist', { command: 'unused' }, { documentSelector: [{ language: 'lean4' }] });
    // The method the library calls to build its `initialize` (client.ts: `capabilities: this.computeClientCapabilities()`).
    return (client as unknown as { computeClientCapabilities(): Record<string, unknown> }).computeClientCapabilities();
}

describe(`the initialize of vscode-languageclient ${bundledVersion}`, { skip }, () => {
    test('computes the object-shaped window.showMessage that VS Code sends (the shape the server once refused)', () => {
        const capabilities = computeClientCapabilities() as { window?: { showMessage?: unknown } };
        assert.equal(typeof capabilities.window?.showMessage, 'object');
    });

    test('is answered by the server, which reads every capability it models', async () => {
        const capabilities = computeClientCapabilities();
        const child = spawn('dotnet', [serverDll!, 'lsp', '--stdio'], {
            env: { ...process.env, LEANASSIST_CACHE_DIR: temporaryDirectory(), LEANASSIST_LeanAssist__Server__LogLevel: 'Debug' },
            stdio: 'pipe',
        });
        let stderr = '';
        child.stderr.on('data', chunk => (stderr += String(chunk)));
        const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
        const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
        connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
        connection.onRequest('client/registerCapability', () => null);
        connection.listen();
        try {
            const result = (await connection.sendRequest('initialize', {
                processId: process.pid,
                clientInfo: { name: 'Visual Studio Code', version: StubVsCodeVersion },
                locale: 'en',
                rootPath: null,
                rootUri: null,
                capabilities,
                trace: 'off',
                workspaceFolders: null,
            })) as { capabilities: { codeActionProvider?: unknown; hoverProvider?: unknown }; serverInfo?: { name: string } };
            assert.equal(result.serverInfo?.name, 'leanassist');
            assert.ok(result.capabilities.codeActionProvider, 'no code actions announced');
            assert.equal(result.capabilities.hoverProvider, true);
            await connection.sendNotification('initialized', {});
            await connection.sendRequest('shutdown');
            await connection.sendNotification('exit');
            assert.equal(await exited, 0, `the server did not exit cleanly; stderr:\n${stderr}`);
            assert.doesNotMatch(stderr, /could not be read count as absent/, `the server could not read part of what the client sent:\n${stderr}`);
        } finally {
            connection.dispose();
            child.kill();
        }
    });
});
