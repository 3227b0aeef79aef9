import './register-vscode-double';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { acquireDotnetWithInstallTool } from '../src/dotnetInstallTool';
import { dotnetCandidates, findDotnet, installedRuntimes, wellKnownDotnetDirectories, type DotnetEnvironment } from '../src/dotnetRuntime';
import { prepareServerLaunch, type ServerLaunchInputs } from '../src/serverLaunch';
import { ServerStartError } from '../src/serverLocation';
import { fakeDotnetInstall, temporaryDirectory, writeFile } from './fixtures';
import { testDouble } from './vscode-double';

/** A search that looks only where the test says (no real PATH, no real install folders). */
function isolated(env: Record<string, string | undefined>, home = temporaryDirectory()): DotnetEnvironment {
    return { env, platform: 'linux', arch: 'x64', homedir: home, installLocationDirectory: temporaryDirectory(), defaultDirectories: [] };
}

describe('where dotnet is looked for', () => {
    test('DOTNET_ROOT, then PATH, then the install location file, then the default folders', () => {
        const environment = { ...isolated({ DOTNET_ROOT: '/opt/custom', PATH: '/usr/local/bin:/usr/bin' }, '/home/u'), defaultDirectories: undefined };
        writeFile(path.join(environment.installLocationDirectory!, 'install_location'), '/opt/registered\n');
        assert.deepEqual(
            dotnetCandidates(environment).map(c => `${c.origin}: ${c.path}`),
            [
                'DOTNET_ROOT: /opt/custom/dotnet',
                'PATH: /usr/local/bin/dotnet',
                'PATH: /usr/bin/dotnet',
                `${path.join(environment.installLocationDirectory!, 'install_location')}: /opt/registered/dotnet`,
                'default install folder: /usr/share/dotnet/dotnet',
                'default install folder: /usr/lib/dotnet/dotnet',
                'default install folder: /usr/lib64/dotnet/dotnet',
                'default install folder: /opt/dotnet/dotnet',
                'default install folder: /home/u/.dotnet/dotnet',
            ],
        );
    });

    test('the architecture-specific DOTNET_ROOT comes first, and duplicates are tried once', () => {
        const environment = isolated({ DOTNET_ROOT_X64: '/opt/x64', DOTNET_ROOT: '/usr/share/dotnet', PATH: '/usr/share/dotnet' });
        const paths = dotnetCandidates(environment).map(c => c.path);
        assert.equal(paths[0], '/opt/x64/dotnet');
        assert.equal(paths.filter(p => p === '/usr/share/dotnet/dotnet').length, 1);
    });

    test('Windows: dotnet.exe, Program Files and the per-user folders; variable names in any case', () => {
        const directories = wellKnownDotnetDirectories({ env: { ProgramFiles: 'D:\\Programs', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', arch: 'x64', homedir: 'C:\\Users\\u' });
        assert.deepEqual(directories, ['D:\\Programs\\dotnet', 'C:\\Users\\u\\AppData\\Local\\Microsoft\\dotnet', 'C:\\Users\\u\\.dotnet']);
        const candidates = dotnetCandidates({ env: { Path: 'C:\\tools;D:\\bin' }, platform: 'win32', arch: 'x64', homedir: 'C:\\Users\\u' });
        assert.deepEqual(candidates.slice(0, 2).map(c => c.path), ['C:\\tools\\dotnet.exe', 'D:\\bin\\dotnet.exe']);
    });

    test('macOS default folders', () => {
        assert.deepEqual(wellKnownDotnetDirectories({ env: {}, platform: 'darwin', arch: 'arm64', homedir: '/Users/u' }), [
            '/usr/local/share/dotnet',
            '/opt/homebrew/opt/dotnet/libexec',
            '/Users/u/.dotnet',
        ]);
    });
});

describe('which dotnet qualifies', () => {
    test('reads the runtimes beside the executable, through a symlink like /usr/bin/dotnet', () => {
        const install = temporaryDirectory();
        const dotnet = fakeDotnetInstall(install, ['8.0.11', '10.0.2', '10.0.12']);
        const bin = temporaryDirectory();
        fs.symlinkSync(dotnet, path.join(bin, 'dotnet'));
        assert.deepEqual(installedRuntimes(path.join(bin, 'dotnet')), ['8.0.11', '10.0.2', '10.0.12']);
    });

    test('a dotnet with only older runtimes is passed over for one with .NET 10, and the reason is kept', () => {
        const old = temporaryDirectory();
        fakeDotnetInstall(old, ['8.0.11']);
        const current = temporaryDirectory();
        fakeDotnetInstall(current, ['10.0.1']);
        const result = findDotnet(isolated({ PATH: [old, current].join(path.delimiter) }));
        assert.equal(result.found?.path, path.join(current, 'dotnet'));
        assert.deepEqual(result.rejected, [{ path: path.join(old, 'dotnet'), origin: 'PATH', reason: 'it has .NET 8.0.11, not 10 or later' }]);
    });

    test('a newer major version qualifies (the server is started with DOTNET_ROLL_FORWARD=Major)', () => {
        const install = temporaryDirectory();
        fakeDotnetInstall(install, ['11.0.0']);
        assert.equal(findDotnet(isolated({ DOTNET_ROOT: install })).found?.origin, 'DOTNET_ROOT');
    });

    test('a dotnet with no runtimes at all (an SDK-less muxer, a snap wrapper) is rejected', () => {
        const folder = temporaryDirectory();
        writeFile(path.join(folder, 'dotnet'), '', true);
        const result = findDotnet(isolated({ PATH: folder }));
        assert.equal(result.found, undefined);
        assert.equal(result.rejected[0].reason, 'no .NET runtime found beside it');
    });
});

function launchInputs(overrides: Partial<ServerLaunchInputs>): ServerLaunchInputs {
    const extensionPath = temporaryDirectory();
    writeFile(path.join(extensionPath, 'dist', 'server', 'leanassist.dll'));
    return {
        environmentPath: undefined,
        settingPath: undefined,
        extensionPath,
        platform: 'linux',
        arch: 'x64',
        homedir: temporaryDirectory(),
        installLocationDirectory: temporaryDirectory(),
        defaultDirectories: [],
        env: {},
        clientProcessId: 4242,
        acquireDotnet: async () => undefined,
        ...overrides,
    };
}

describe('how the server is run', () => {
    test('the bundled leanassist.dll runs with the dotnet found, over stdio, watching the editor process', async () => {
        const install = temporaryDirectory();
        const dotnet = fakeDotnetInstall(install, ['10.0.12']);
        const inputs = launchInputs({ env: { PATH: install, HOME: '/home/u' } });
        const launch = await prepareServerLaunch(inputs);
        assert.equal(launch.command, dotnet);
        assert.deepEqual(launch.args, [path.join(inputs.extensionPath, 'dist', 'server', 'leanassist.dll'), 'lsp', '--stdio', '--clientProcessId', '4242']);
        assert.equal(launch.env.DOTNET_ROLL_FORWARD, 'Major');
        assert.equal(launch.env.HOME, '/home/u', 'the server inherits the environment (elan, lake and API key variables)');
        assert.equal(launch.dotnetOrigin, 'PATH');
    });

    test('a self-contained server runs directly, without looking for dotnet', async () => {
        const executable = writeFile(path.join(temporaryDirectory(), 'leanassist'), '', true);
        let acquired = false;
        const launch = await prepareServerLaunch(launchInputs({ settingPath: executable, acquireDotnet: async () => ((acquired = true), undefined) }));
        assert.equal(launch.command, executable);
        assert.deepEqual(launch.args, ['lsp', '--stdio', '--clientProcessId', '4242']);
        assert.equal(launch.env.DOTNET_ROLL_FORWARD, undefined);
        assert.equal(acquired, false);
    });

    test('without a suitable dotnet, the .NET Install Tool provides one', async () => {
        const launch = await prepareServerLaunch(launchInputs({ acquireDotnet: async () => '/vscode/dotnet-runtime/dotnet' }));
        assert.equal(launch.command, '/vscode/dotnet-runtime/dotnet');
        assert.equal(launch.dotnetOrigin, 'the .NET Install Tool');
    });

    test('without any runtime, the error lists what was tried and offers the fixes', async () => {
        const old = temporaryDirectory();
        fakeDotnetInstall(old, ['8.0.11']);
        await assert.rejects(prepareServerLaunch(launchInputs({ env: { PATH: old } })), (error: unknown) => {
            assert.ok(error instanceof ServerStartError);
            assert.match(error.message, /needs the \.NET 10 runtime/);
            assert.ok(error.message.includes(`${path.join(old, 'dotnet')} (it has .NET 8.0.11, not 10 or later)`), error.message);
            assert.deepEqual(error.remedies.map(r => r.title), ['Download .NET 10', 'Install .NET Install Tool', 'Open Setting']);
            return true;
        });
    });
});

describe('the .NET Install Tool', () => {
    beforeEach(() => testDouble.reset());

    test('is not asked when it is not installed', async () => {
        assert.equal(await acquireDotnetWithInstallTool('leanassist.leanassist'), undefined);
        assert.deepEqual(testDouble.executedCommands, []);
    });

    test('is asked for the .NET 10 runtime on behalf of this extension', async () => {
        testDouble.installedExtensions.add('ms-dotnettools.vscode-dotnet-runtime');
        testDouble.commandHandlers.set('dotnet.acquire', () => ({ dotnetPath: '/acquired/dotnet' }));
        assert.equal(await acquireDotnetWithInstallTool('leanassist.leanassist'), '/acquired/dotnet');
        assert.deepEqual(testDouble.executedCommands, [
            { command: 'dotnet.acquire', args: [{ version: '10.0', requestingExtensionId: 'leanassist.leanassist', mode: 'runtime' }] },
        ]);
    });

    test('a failed download becomes an actionable error', async () => {
        testDouble.installedExtensions.add('ms-dotnettools.vscode-dotnet-runtime');
        testDouble.commandHandlers.set('dotnet.acquire', () => {
            throw new Error('offline');
        });
        await assert.rejects(acquireDotnetWithInstallTool('leanassist.leanassist'), /could not provide the \.NET 10 runtime .*: offline\. Install \.NET 10 yourself/);
    });
});
