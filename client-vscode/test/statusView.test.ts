import './register-vscode-double';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { presentStatus, StatusBar } from '../src/statusView';
import { sampleStatus } from './fixtures';
import { TestStatusBarItem, ThemeColor } from './vscode-double';

describe('status bar text', () => {
    test('an idle, healthy server shows sessions, the last run, the cache hit rate and no spend without an LLM', () => {
        const shown = presentStatus({ kind: 'running', status: sampleStatus() });
        assert.equal(shown.text, '$(check) LeanAssist · 2/2 · 340 ms · 87%');
        assert.equal(shown.backgroundColor, undefined);
        assert.equal(shown.command, 'leanAssist.showMetrics');
    });

    test('spend appears when an LLM provider is configured', () => {
        const shown = presentStatus({
            kind: 'running',
            status: sampleStatus({ llm: { provider: 'anthropic', model: 'claude-sonnet-4-5', available: true }, spend: { todayUsd: 0.1234 } }),
        });
        assert.match(shown.text, / · \$0\.12$/);
    });

    test('a spend below one cent is not shown as nothing', () => {
        const shown = presentStatus({ kind: 'running', status: sampleStatus({ llm: { provider: 'openai' }, spend: { todayUsd: 0.003 } }) });
        assert.match(shown.text, /<\$0\.01$/);
    });

    test('a spinner shows while suggestions run, sessions start or work is queued', () => {
        for (const status of [
            sampleStatus({ runningSuggestions: 1 }),
            sampleStatus({ queueDepth: 3 }),
            sampleStatus({ sessions: { starting: 1 } }),
            sampleStatus({ sessions: { busy: 2 } }),
        ]) {
            assert.match(presentStatus({ kind: 'running', status }).text, /^\$\(loading~spin\) LeanAssist/);
        }
    });

    test('fields the server has not measured yet are left out', () => {
        const status = sampleStatus({ sessions: { warm: 0, total: 0 } });
        delete status.lastRun;
        delete status.cache.verdictHitRate;
        assert.equal(presentStatus({ kind: 'running', status }).text, '$(check) LeanAssist');
    });

    test('degraded health is plain: the word, a warning icon and a warning background', () => {
        const shown = presentStatus({ kind: 'running', status: sampleStatus({ health: 'degraded', healthReason: 'Lean session 2 keeps crashing' }) });
        assert.match(shown.text, /^\$\(warning\) LeanAssist degraded/);
        assert.deepEqual(shown.backgroundColor, new ThemeColor('statusBarItem.warningBackground'));
        assert.match(shown.tooltip.value, /\*\*Degraded\*\*: Lean session 2 keeps crashing/);
        assert.match(shown.accessibilityLabel, /degraded: Lean session 2 keeps crashing/);
    });

    test('error health gets an error background and the reason first in the tooltip', () => {
        const shown = presentStatus({ kind: 'running', status: sampleStatus({ health: 'error', healthReason: 'no Lean toolchain found' }) });
        assert.match(shown.text, /^\$\(error\) LeanAssist error/);
        assert.deepEqual(shown.backgroundColor, new ThemeColor('statusBarItem.errorBackground'));
        assert.match(shown.tooltip.value.split('\n')[0], /\*\*Error\*\*: no Lean toolchain found/);
    });

    test('Restricted Mode says LeanAssist is off and why, and the click manages trust', () => {
        const shown = presentStatus({ kind: 'restricted' });
        assert.equal(shown.text, '$(shield) LeanAssist off');
        assert.match(shown.tooltip.value, /Restricted Mode/);
        assert.match(shown.tooltip.value, /`lake env`/);
        assert.equal(shown.command, 'workbench.trust.manage');
    });

    test('a stopped server shows the reason and the click restarts it', () => {
        const shown = presentStatus({ kind: 'stopped', reason: 'The server stopped 5 times in 3 minutes.' });
        assert.equal(shown.text, '$(error) LeanAssist stopped');
        assert.match(shown.tooltip.value, /stopped 5 times in 3 minutes/);
        assert.equal(shown.command, 'leanAssist.restartServer');
    });

    test('while starting, the click opens the output (the server commands do not exist yet)', () => {
        assert.equal(presentStatus({ kind: 'starting' }).command, 'leanAssist.showOutput');
        assert.equal(presentStatus({ kind: 'running' }).command, 'leanAssist.showOutput');
    });
});

describe('status bar tooltip', () => {
    test('lists every field of the status', () => {
        const tooltip = presentStatus({
            kind: 'running',
            status: sampleStatus({
                sessions: { warm: 1, starting: 1, busy: 1, total: 3, restarts: 2 },
                queueDepth: 4,
                runningSuggestions: 1,
                cache: { llmHitRate: 0.5, llmHits: 1, llmLookups: 2 },
                llm: { provider: 'openai', model: 'gpt-4o-mini', available: false, reason: 'no API key' },
                spend: { todayUsd: 1.5, dailyCapUsd: 1.5, capReached: true, capReason: 'daily cap' },
            }),
        }).tooltip.value;
        for (const expected of [
            '1 warm, 1 starting, 1 busy of 3 (2 restarted)',
            '1 running, 4 queued',
            '340 ms at ',
            '8 tried, 3 verified, 1 solved',
            '87% (87 of 100 lookups)',
            '50% (1 of 2 lookups)',
            'unavailable: no API key',
            '$1.50 of $1.50 cap (cap reached: daily cap; built-in tactics only)',
        ]) {
            assert.ok(tooltip.includes(expected), `tooltip lacks "${expected}":\n${tooltip}`);
        }
    });

    test('text from the server cannot break the table or inject Markdown', () => {
        const tooltip = presentStatus({
            kind: 'running',
            status: sampleStatus({ health: 'degraded', healthReason: 'bad | cell [link](command:x) $(icon)' }),
        }).tooltip;
        assert.equal(tooltip.isTrusted, false);
        assert.ok(tooltip.value.includes('bad \\| cell \\[link\\]\\(command:x\\) \\$\\(icon\\)'), tooltip.value);
    });
});

describe('StatusBar', () => {
    test('applies the presentation to the item and shows it', () => {
        const item = new TestStatusBarItem();
        const bar = new StatusBar(item as never);
        bar.show({ kind: 'running', status: sampleStatus({ health: 'error', healthReason: 'boom' }) });
        assert.equal(item.visible, true);
        assert.equal(item.name, 'LeanAssist');
        assert.match(item.text, /LeanAssist error/);
        assert.deepEqual(item.backgroundColor, new ThemeColor('statusBarItem.errorBackground'));
        assert.equal(item.accessibilityInformation?.label, 'LeanAssist error: boom. 2 of 2 Lean sessions warm.');

        bar.show({ kind: 'running', status: sampleStatus() });
        assert.equal(item.backgroundColor, undefined, 'the error background goes away when health recovers');
        assert.equal(bar.current.kind, 'running');
    });
});
