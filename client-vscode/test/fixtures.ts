// Sample payloads and temporary folders shared by the tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MetricsSnapshot, StatusParams } from '../src/protocol';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A healthy, idle server's status; override what a test is about. */
export function sampleStatus(overrides: DeepPartial<StatusParams> = {}): StatusParams {
    const base: StatusParams = {
        health: 'ok',
        sessions: { warm: 2, starting: 0, busy: 0, total: 2, restarts: 0 },
        queueDepth: 0,
        runningSuggestions: 0,
        lastRun: { finishedAt: '2025-11-22T10:15:30Z', durationMs: 340, tried: 8, verified: 3, solved: 1, fromCache: false },
        cache: { verdictHitRate: 0.87, verdictHits: 87, verdictLookups: 100, llmHits: 0, llmLookups: 0 },
        spend: { todayUsd: 0, capReached: false },
        llm: { provider: 'none', available: true },
    };
    return merge(base, overrides);
}

export function sampleSnapshot(overrides: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
    return {
        takenAt: '2025-11-22T10:16:00Z',
        counters: [
            { name: 'leanassist.cache.lookups', attributes: { 'leanassist.cache.layer': 'verdict.memory', 'leanassist.cache.result': 'hit' }, value: 30, kind: 'counter' },
            { name: 'leanassist.cache.lookups', attributes: { 'leanassist.cache.layer': 'verdict.memory', 'leanassist.cache.result': 'miss' }, value: 10, kind: 'counter' },
            { name: 'leanassist.candidates', attributes: { 'leanassist.verdict': 'solved', 'leanassist.candidate.source': 'portfolio' }, value: 4, kind: 'counter' },
            { name: 'leanassist.lean.sessions', attributes: { state: 'warm' }, value: 2, kind: 'gauge' },
        ],
        histograms: [
            { name: 'leanassist.lsp.code_action.duration', unit: 's', attributes: {}, count: 120, sum: 0.5, p50: 0.0012, p90: 0.003, p99: 0.0081 },
            { name: 'leanassist.lean.request.duration', unit: 's', attributes: { 'leanassist.lean.request': 'tactic' }, count: 40, sum: 2, p50: 0.05, p90: 0.12, p99: 1.5 },
            { name: 'gen_ai.client.token.usage', unit: '{token}', attributes: { 'gen_ai.token.type': 'input' }, count: 3, sum: 3000, p50: 900, p90: 1200, p99: 1200 },
        ],
        recentRuns: [
            { finishedAt: '2025-11-22T10:15:00Z', durationMs: 200, tried: 8, verified: 2, solved: 1, leanMs: 150, llmMs: 0, cacheHits: 1, costUsd: 0 },
            { finishedAt: '2025-11-22T10:15:30Z', durationMs: 800, tried: 8, verified: 0, solved: 0, leanMs: 600, llmMs: 0, cacheHits: 0, costUsd: 0 },
        ],
        status: sampleStatus(),
        ...overrides,
    };
}

function merge<T>(base: T, overrides: DeepPartial<T>): T {
    const result = { ...base } as Record<string, unknown>;
    for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
        const current = result[key];
        result[key] =
            value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object'
                ? merge(current, value as DeepPartial<typeof current>)
                : value;
    }

    return result as T;
}

/** A fresh temporary folder, removed when the process exits. */
export function temporaryDirectory(): string {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'leanassist-client-test-'));
    process.on('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
    return directory;
}

/** Writes a file (creating folders), optionally executable. Returns its path. */
export function writeFile(file: string, content = '', executable = false): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    if (executable) {
        fs.chmodSync(file, 0o755);
    }

    return file;
}

/** A fake .NET install: a `dotnet` file and empty runtime folders of the given versions. */
export function fakeDotnetInstall(root: string, runtimeVersions: string[]): string {
    const dotnet = writeFile(path.join(root, 'dotnet'), '#!/bin/sh\n', true);
    for (const version of runtimeVersions) {
        fs.mkdirSync(path.join(root, 'shared', 'Microsoft.NETCore.App', version), { recursive: true });
    }

    return dotnet;
}

/** The repository root (the compiled tests run from out/test). */
export const repositoryRoot = path.resolve(__dirname, '..', '..');

export interface ManifestSetting {
    type?: string | string[];
    default?: unknown;
    scope?: string;
    markdownDescription?: string;
    enum?: string[];
}

/** The extension manifest (the root package.json). */
export function readManifest() {
    return JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
        version: string;
        main: string;
        engines: Record<string, string>;
        activationEvents: string[];
        extensionDependencies: string[];
        extensionKind: string[];
        capabilities: { untrustedWorkspaces: { supported: boolean | string; description?: string; restrictedConfigurations?: string[] } };
        contributes: {
            configuration: { properties: Record<string, ManifestSetting> };
            commands: Array<{ command: string; title: string; category: string }>;
            menus: { commandPalette: Array<{ command: string; when: string }> };
        };
        scripts: Record<string, string>;
        devDependencies: Record<string, string>;
    };
}

/**
 * The `leanAssist` section as VS Code resolves it when nothing is set: every manifest default,
 * nested the way VS Code nests dotted keys ("repl.sessions" → { repl: { sessions } }).
 */
export function manifestDefaults(): Record<string, unknown> {
    const section: Record<string, unknown> = {};
    for (const [key, setting] of Object.entries(readManifest().contributes.configuration.properties)) {
        const parts = key.split('.').slice(1);
        let target = section;
        for (const part of parts.slice(0, -1)) {
            target = (target[part] ??= {}) as Record<string, unknown>;
        }

        target[parts[parts.length - 1]] = setting.default;
    }

    return section;
}
