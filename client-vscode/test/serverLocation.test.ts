import './register-vscode-double';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { locateServer, ServerStartError, type ServerLocationInputs } from '../src/serverLocation';
import { temporaryDirectory, writeFile } from './fixtures';

/** An extension folder with (or without) the bundled framework-dependent server. */
function extensionFolder(bundled: boolean): string {
    const folder = temporaryDirectory();
    if (bundled) {
        writeFile(path.join(folder, 'dist', 'server', 'leanassist.dll'));
    }

    return folder;
}

function inputs(overrides: Partial<ServerLocationInputs>): ServerLocationInputs {
    return { environmentPath: undefined, settingPath: undefined, extensionPath: extensionFolder(true), platform: 'linux', homedir: '/home/test', ...overrides };
}

describe('server location order', () => {
    test('the bundled server when nothing is configured', () => {
        const extensionPath = extensionFolder(true);
        assert.deepEqual(locateServer(inputs({ extensionPath })), {
            source: 'bundled',
            kind: 'framework-dependent',
            path: path.join(extensionPath, 'dist', 'server', 'leanassist.dll'),
        });
    });

    test('the setting wins over the bundled server', () => {
        const dll = writeFile(path.join(temporaryDirectory(), 'leanassist.dll'));
        assert.deepEqual(locateServer(inputs({ settingPath: dll })), { source: 'setting', kind: 'framework-dependent', path: dll });
    });

    test('LEANASSIST_SERVER_PATH wins over the setting', () => {
        const fromEnvironment = writeFile(path.join(temporaryDirectory(), 'leanassist.dll'));
        const fromSetting = writeFile(path.join(temporaryDirectory(), 'leanassist.dll'));
        assert.equal(locateServer(inputs({ environmentPath: fromEnvironment, settingPath: fromSetting })).path, fromEnvironment);
    });

    test('blank values count as unset', () => {
        assert.equal(locateServer(inputs({ environmentPath: '  ', settingPath: '' })).source, 'bundled');
    });

    test('~ expands to the home folder', () => {
        const home = temporaryDirectory();
        const dll = writeFile(path.join(home, 'builds', 'leanassist.dll'));
        assert.equal(locateServer(inputs({ settingPath: '~/builds/leanassist.dll', homedir: home })).path, dll);
    });
});

describe('what kind of server a path is', () => {
    test('an executable file runs directly', () => {
        const executable = writeFile(path.join(temporaryDirectory(), 'leanassist'), '#!/bin/sh\n', true);
        assert.deepEqual(locateServer(inputs({ settingPath: executable })), { source: 'setting', kind: 'native', path: executable });
    });

    test('a folder from a framework-dependent publish runs leanassist.dll, even with an apphost beside it', () => {
        const folder = temporaryDirectory();
        writeFile(path.join(folder, 'leanassist'), '', true);
        const dll = writeFile(path.join(folder, 'leanassist.dll'));
        assert.deepEqual(locateServer(inputs({ settingPath: folder })), { source: 'setting', kind: 'framework-dependent', path: dll });
    });

    test('a folder from a self-contained publish (hostfxr beside the executable) runs the executable', () => {
        const folder = temporaryDirectory();
        writeFile(path.join(folder, 'leanassist.dll'));
        writeFile(path.join(folder, 'libhostfxr.so'));
        const executable = writeFile(path.join(folder, 'leanassist'), '', true);
        assert.deepEqual(locateServer(inputs({ settingPath: folder })), { source: 'setting', kind: 'native', path: executable });
    });

    test('on Windows the self-contained executable is leanassist.exe beside hostfxr.dll', () => {
        const folder = temporaryDirectory();
        writeFile(path.join(folder, 'hostfxr.dll'));
        const executable = writeFile(path.join(folder, 'leanassist.exe'));
        assert.equal(locateServer(inputs({ settingPath: folder, platform: 'win32' })).path, executable);
    });

    test('a self-contained build bundled in a per-platform package is used as well', () => {
        const extensionPath = extensionFolder(false);
        writeFile(path.join(extensionPath, 'dist', 'server', 'libhostfxr.dylib'));
        const executable = writeFile(path.join(extensionPath, 'dist', 'server', 'leanassist'), '', true);
        assert.deepEqual(locateServer(inputs({ extensionPath, platform: 'darwin' })), { source: 'bundled', kind: 'native', path: executable });
    });
});

describe('failures say what is wrong and what to do', () => {
    function failure(action: () => unknown): ServerStartError {
        try {
            action();
        } catch (error) {
            assert.ok(error instanceof ServerStartError, `expected a ServerStartError, got ${String(error)}`);
            return error;
        }

        assert.fail('expected a failure');
    }

    test('a configured path that does not exist is an error, not a silent fall-back to the bundled server', () => {
        const error = failure(() => locateServer(inputs({ settingPath: '/nowhere/leanassist.dll' })));
        assert.match(error.message, /The setting leanAssist\.server\.path points to \/nowhere\/leanassist\.dll, which does not exist/);
        assert.deepEqual(error.remedies.map(r => r.title), ['Open Setting']);
    });

    test('the environment variable is named when it is the culprit', () => {
        const error = failure(() => locateServer(inputs({ environmentPath: '/nowhere' })));
        assert.match(error.message, /LEANASSIST_SERVER_PATH points to \/nowhere/);
    });

    test('a folder without a server', () => {
        const error = failure(() => locateServer(inputs({ settingPath: temporaryDirectory() })));
        assert.match(error.message, /holds neither leanassist\.dll nor a self-contained leanassist build/);
    });

    test('a file that is neither a dll nor executable', () => {
        const file = writeFile(path.join(temporaryDirectory(), 'leanassist'), 'text', false);
        const error = failure(() => locateServer(inputs({ settingPath: file })));
        assert.match(error.message, /is not executable/);
    });

    test('an extension without its bundled server says how to fix it', () => {
        const error = failure(() => locateServer(inputs({ extensionPath: extensionFolder(false) })));
        assert.match(error.message, /has no server: .*dist[/\\]server[/\\]leanassist\.dll is missing\. Reinstall the extension, or build the server \(dotnet publish/);
    });
});
