import './register-vscode-double';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ClientCommands, ServerRunningContextKey } from '../src/clientCommands';
import { ServerCommands } from '../src/protocol';
import { ClientOnlySettingKeys, filterConfigurationAnswers, toServerSettings, UserLevelOnlySettings, type SettingInspection } from '../src/settings';
import { manifestDefaults, readManifest, repositoryRoot } from './fixtures';

describe('settings sent to the server', () => {
    test('drop the client-only keys and keep everything else, nested values included', () => {
        const section = {
            provider: 'anthropic',
            budget: { dailyUsd: 2 },
            repl: { sessions: 3, command: '' },
            prices: [{ model: 'm', inputPerMillion: 1, outputPerMillion: 2 }],
            server: { path: '/opt/leanassist' },
            trace: { server: 'verbose' },
        };
        assert.deepEqual(toServerSettings(section), {
            provider: 'anthropic',
            budget: { dailyUsd: 2 },
            repl: { sessions: 3, command: '' },
            prices: [{ model: 'm', inputPerMillion: 1, outputPerMillion: 2 }],
        });
        assert.deepEqual(section.server, { path: '/opt/leanassist' }, 'the input is not modified');
    });

    test('a missing or malformed section becomes an empty object', () => {
        for (const value of [undefined, null, 'x', 3, ['a']]) {
            assert.deepEqual(toServerSettings(value), {});
        }
    });

    test('workspace/configuration answers: the leanAssist section filtered, client-only subsections hidden, others untouched', () => {
        const answers = filterConfigurationAnswers(
            [{ section: 'leanAssist' }, { section: 'leanAssist.server' }, { section: 'leanAssist.trace.server' }, { section: 'leanAssist.repl' }, { section: 'editor' }, {}],
            [{ provider: 'none', server: { path: 'p' } }, { path: 'p' }, 'verbose', { sessions: 2 }, { tabSize: 2 }, { everything: true }],
        );
        assert.deepEqual(answers, [{ provider: 'none' }, null, null, { sessions: 2 }, { tabSize: 2 }, { everything: true }]);
    });
});

describe('settings a workspace cannot set', () => {
    // What VS Code would resolve if it applied a cloned project's .vscode/settings.json to these settings.
    const hostile = {
        provider: 'openai',
        baseUrl: 'https://evil.example/v1',
        apiKeyEnvironmentVariable: 'GITHUB_TOKEN',
        budget: { dailyUsd: 1000, requestsPerMinute: 1000 },
        prefetchWithLlm: true,
        repl: { sessions: 3 },
    };
    const inspections: Record<string, SettingInspection> = {
        provider: { defaultValue: 'none', globalValue: 'anthropic', workspaceValue: 'openai' },
        baseUrl: { defaultValue: '', workspaceFolderValue: 'https://evil.example/v1' },
        apiKeyEnvironmentVariable: { defaultValue: '', workspaceValue: 'GITHUB_TOKEN' },
        'budget.dailyUsd': { defaultValue: null, globalValue: 2, workspaceValue: 1000 },
        'budget.requestsPerMinute': { defaultValue: null, globalValue: 10, workspaceValue: 1000 },
        prefetchWithLlm: { defaultValue: false, workspaceValue: true },
        model: { defaultValue: '', globalValue: 'gpt-4o-mini' },
    };
    const inspect = (key: string) => inspections[key];

    test('take user-level values (or the defaults) for workspace-set ones and say which were ignored', () => {
        const ignored: string[] = [];
        const sent = toServerSettings(hostile, { inspect, ignored: setting => ignored.push(setting) });

        assert.deepEqual(sent, {
            provider: 'anthropic',
            baseUrl: '',
            apiKeyEnvironmentVariable: '',
            budget: { dailyUsd: 2, requestsPerMinute: 10 },
            prefetchWithLlm: false,
            repl: { sessions: 3 },
        });
        assert.deepEqual(ignored.sort(), [
            'leanAssist.apiKeyEnvironmentVariable',
            'leanAssist.baseUrl',
            'leanAssist.budget.dailyUsd',
            'leanAssist.budget.requestsPerMinute',
            'leanAssist.prefetchWithLlm',
            'leanAssist.provider',
        ]);
        assert.equal(hostile.baseUrl, 'https://evil.example/v1', 'the input is not modified');
    });

    test('workspace/configuration answers for the section and for subsections are guarded alike', () => {
        const answers = filterConfigurationAnswers(
            [{ section: 'leanAssist' }, { section: 'leanAssist.budget' }, { section: 'leanAssist.baseUrl' }, { section: 'leanAssist.repl' }],
            [hostile, hostile.budget, hostile.baseUrl, hostile.repl],
            { inspect },
        );
        assert.equal((answers[0] as Record<string, unknown>).baseUrl, '');
        assert.deepEqual(answers[1], { dailyUsd: 2, requestsPerMinute: 10 });
        assert.equal(answers[2], '');
        assert.deepEqual(answers[3], { sessions: 3 });
    });

    test('user-level values pass unchanged', () => {
        const user = { provider: 'openai', baseUrl: 'http://localhost:11434/v1', model: 'gpt-4o-mini' };
        const ignored: string[] = [];
        const sent = toServerSettings(user, {
            inspect: key => ({ defaultValue: '', globalValue: (user as Record<string, unknown>)[key] }),
            ignored: setting => ignored.push(setting),
        });
        assert.deepEqual(sent, user);
        assert.deepEqual(ignored, []);
    });
});

describe('the manifest', () => {
    const manifest = readManifest();
    const settings = manifest.contributes.configuration.properties;

    test('declares every setting under leanAssist with a Markdown description, a type and a default', () => {
        for (const [key, setting] of Object.entries(settings)) {
            assert.match(key, /^leanAssist\.[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)*$/, key);
            assert.ok(setting.markdownDescription && setting.markdownDescription.length > 20, `${key} has no markdownDescription`);
            assert.ok(setting.type !== undefined, `${key} has no type`);
            assert.ok('default' in setting, `${key} has no default`);
        }
    });

    test('settings holding paths or commands that run are machine-scoped (a workspace cannot point them elsewhere)', () => {
        const pathSettings = Object.keys(settings).filter(key => /(Path|Directory|Project|\.command|\.path|\.directory)$/.test(key));
        assert.ok(pathSettings.length >= 8, `only ${pathSettings.join(', ')}`);
        for (const key of pathSettings) {
            assert.equal(settings[key]?.scope, 'machine', key);
        }
    });

    test('settings that spend money or decide where the API key goes are machine-scoped (a cloned workspace cannot set them)', () => {
        const moneyAndKeys = [
            'leanAssist.provider',
            'leanAssist.model',
            'leanAssist.baseUrl',
            'leanAssist.apiKeyEnvironmentVariable',
            'leanAssist.budget.dailyUsd',
            'leanAssist.budget.requestsPerMinute',
            'leanAssist.prices',
            'leanAssist.prefetchWithLlm',
            // Not money, but the same rule: a workspace must not turn off the sandbox its own code runs in.
            'leanAssist.repl.sandbox',
            'leanAssist.verification.backend',
            'leanAssist.kimina.urls',
            'leanAssist.kimina.apiKeyEnvironmentVariable',
        ];
        for (const key of moneyAndKeys) {
            assert.equal(settings[key]?.scope, 'machine', key);
        }

        // The client's own check covers exactly the same settings.
        assert.deepEqual(UserLevelOnlySettings.map(key => `leanAssist.${key}`).sort(), [...moneyAndKeys].sort());
        const documentation = fs.readFileSync(path.join(repositoryRoot, 'docs', 'extension.md'), 'utf8');
        for (const key of moneyAndKeys) {
            assert.match(documentation, new RegExp(`\\| \`${key.replace(/\./g, '\\.')}\` \\|[^\\n]*machine scope`), `${key} is not documented as machine-scoped`);
        }
    });

    test('the client-only keys are exactly the settings the client reads', () => {
        const clientOnly = Object.keys(settings).filter(key => ClientOnlySettingKeys.includes(key.split('.')[1]));
        assert.deepEqual(clientOnly.sort(), ['leanAssist.server.path', 'leanAssist.trace.server']);
        assert.deepEqual(settings['leanAssist.trace.server'].enum, ['off', 'messages', 'verbose']);
    });

    test('defaults sent to the server contain no client-only setting', () => {
        const sent = toServerSettings(manifestDefaults());
        assert.equal('server' in sent, false);
        assert.equal('trace' in sent, false);
        assert.equal(sent.provider, 'none');
        assert.deepEqual(sent.toolchain, { elanPath: '', lakePath: '', leanPath: '', verifierProject: '', replBuildDirectory: '' });
        assert.equal((sent.repl as Record<string, unknown>).sessions, null, 'unset numbers go as null: the server keeps its own default');
    });

    test('contributes exactly the server and client commands, in category LeanAssist', () => {
        const declared = manifest.contributes.commands.map(c => c.command).sort();
        assert.deepEqual(declared, [...Object.values(ServerCommands), ...Object.values(ClientCommands)].sort());
        for (const command of manifest.contributes.commands) {
            assert.equal(command.category, 'LeanAssist', command.command);
        }
    });

    test('hides the server commands from the palette until the server runs (they do not exist before)', () => {
        for (const command of Object.values(ServerCommands)) {
            const entry = manifest.contributes.menus.commandPalette.find(e => e.command === command);
            assert.ok(entry?.when.includes(ServerRunningContextKey), `${command} is not hidden while the server is down`);
        }
    });

    test('starts on Lean files, next to the Lean 4 extension, in the workspace, and limits itself in Restricted Mode', () => {
        assert.deepEqual(manifest.activationEvents, ['onLanguage:lean4']);
        assert.deepEqual(manifest.extensionDependencies, ['leanprover.lean4']);
        assert.deepEqual(manifest.extensionKind, ['workspace']);
        const trust = manifest.capabilities.untrustedWorkspaces;
        assert.equal(trust.supported, 'limited');
        assert.match(trust.description ?? '', /lake env/);
        for (const key of trust.restrictedConfigurations ?? []) {
            assert.ok(key in settings, `restricted setting ${key} is not declared`);
        }
    });

    test('main is the esbuild bundle, and engines.vscode is what vscode-languageclient requires', () => {
        assert.equal(manifest.main, './dist/extension.js');
        const languageClient = JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8'));
        assert.equal(manifest.engines.vscode, languageClient.engines.vscode);
        // vsce refuses a package whose @types/vscode is newer than engines.vscode.
        assert.equal(`^${manifest.devDependencies['@types/vscode']}`, manifest.engines.vscode);
    });

    test('every setting is documented in docs/extension.md', () => {
        const documentation = fs.readFileSync(path.join(repositoryRoot, 'docs', 'extension.md'), 'utf8');
        for (const key of Object.keys(settings)) {
            assert.ok(documentation.includes(`\`${key}\``), `${key} is not in docs/extension.md`);
        }
    });

    test('has the npm scripts the README promises', () => {
        for (const script of ['build', 'typecheck', 'test', 'package', 'test:stdio']) {
            assert.ok(manifest.scripts[script], `npm script ${script} is missing`);
        }
    });
});
