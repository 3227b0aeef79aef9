// The launch the client computes, run for real: the built server started with the command line,
// environment and dotnet that prepareServerLaunch chooses on this machine, spoken to over stdio
// with vscode-jsonrpc (the library vscode-languageclient uses), given the manifest's default
// settings the way the client gives them. Needs a built server: LEANASSIST_TEST_SERVER_DLL (set by
// tests/LeanAssist.Client.Tests) or server/LeanAssist.Server/bin/Debug/net10.0/leanassist.dll.
import './register-vscode-double';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { LeanAssistMethods } from '../src/protocol';
import { prepareServerLaunch } from '../src/serverLaunch';
import { filterConfigurationAnswers, toServerSettings, type ConfigurationItemLike } from '../src/settings';
import { manifestDefaults, repositoryRoot, temporaryDirectory } from './fixtures';

const serverDll =
    process.env.LEANASSIST_TEST_SERVER_DLL ||
    [path.join(repositoryRoot, 'server', 'LeanAssist.Server', 'bin', 'Debug', 'net10.0', 'leanassist.dll')].find(file => fs.existsSync(file));
const skip = serverDll ? false : 'Skipped: no built server (set LEANASSIST_TEST_SERVER_DLL, or run `dotnet build` first).';

describe('the server started the way the client starts it', { skip }, () => {
    test('answers initialize, accepts the default settings, keeps API keys out of its log, and exits cleanly', async () => {
        const launch = await prepareServerLaunch({
            environmentPath: undefined,
            settingPath: serverDll,
            extensionPath: temporaryDirectory(),
            platform: process.platform,
            arch: process.arch,
            homedir: os.homedir(),
            env: { ...process.env, LEANASSIST_CACHE_DIR: temporaryDirectory() },
            clientProcessId: process.pid,
            acquireDotnet: async () => undefined,
        });
        assert.equal(launch.server.kind, 'framework-dependent');

        const child = spawn(launch.command, launch.args, { env: launch.env, stdio: 'pipe' });
        let stderr = '';
        child.stderr.on('data', chunk => (stderr += String(chunk)));
        const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
        const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));

        const warnings: string[] = [];
        const configurationAnswers: unknown[][] = [];
        const defaults = { ...manifestDefaults(), server: { path: serverDll } };
        connection.onNotification('window/showMessage', (params: { type: number; message: string }) => {
            if (params.type <= 2) {
                warnings.push(params.message);
            }
        });
        connection.onRequest('workspace/configuration', (params: { items: ConfigurationItemLike[] }) => {
            const answers = filterConfigurationAnswers(params.items, params.items.map(() => defaults));
            configurationAnswers.push(answers);
            return answers;
        });
        connection.onRequest('client/registerCapability', () => null);
        connection.listen();

        try {
            const initialized = (await connection.sendRequest('initialize', {
                processId: process.pid,
                rootUri: null,
                capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
                initializationOptions: { settings: toServerSettings(defaults) },
            })) as { serverInfo?: { name: string } };
            assert.equal(initialized.serverInfo?.name, 'leanassist');
            await connection.sendNotification('initialized', {});

            const key = 'test-openai-key-not-real';
            await connection.sendNotification(LeanAssistMethods.setApiKey, { provider: 'openai', key });

            // The server pulls its settings after `initialized`; wait for that round trip.
            for (let waited = 0; configurationAnswers.length === 0 && waited < 10_000; waited += 50) {
                await new Promise(resolve => setTimeout(resolve, 50));
            }

            assert.ok(configurationAnswers.length > 0, 'the server never asked for its settings');
            assert.deepEqual(Object.keys(configurationAnswers[0][0] as object).filter(k => k === 'server' || k === 'trace'), []);

            await connection.sendRequest('shutdown');
            await connection.sendNotification('exit');
            assert.equal(await exited, 0, `the server did not exit cleanly; stderr:\n${stderr}`);
            assert.deepEqual(warnings, [], `the server refused the default settings:\n${warnings.join('\n')}`);
            assert.ok(!stderr.includes(key), 'the API key reached the server log');
        } finally {
            connection.dispose();
            child.kill();
        }
    });
});
