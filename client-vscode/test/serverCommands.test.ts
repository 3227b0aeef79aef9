import './register-vscode-double';
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type * as vscode from 'vscode';
import type { MetricsSnapshot, SuggestResult } from '../src/protocol';
import { createExecuteCommandMiddleware, suggestTarget } from '../src/serverCommands';
import { sampleSnapshot } from './fixtures';
import { testDouble, Uri } from './vscode-double';

function editor(options: { languageId?: string; scheme?: string; version?: number; line?: number; character?: number } = {}): vscode.TextEditor {
    const uri = options.scheme === 'untitled' ? Uri.parse('untitled:Untitled-1') : Uri.file('/proj/Foo.lean');
    return {
        document: { uri, languageId: options.languageId ?? 'lean4', version: options.version ?? 7 },
        selection: { active: { line: options.line ?? 4, character: options.character ?? 10 } },
    } as unknown as vscode.TextEditor;
}

function result(overrides: Partial<SuggestResult> = {}): SuggestResult {
    return {
        uri: 'file:///proj/Foo.lean',
        version: 7,
        suggestions: [{ tactic: 'omega', verdict: 'solved', remainingGoals: [], leanMs: 12, source: 'portfolio', fromCache: false, usesNativeDecide: false }],
        ...overrides,
    };
}

/** Records what reaches the server and answers with `answer`. */
function server(answer: unknown) {
    const calls: Array<{ command: string; args: unknown[] }> = [];
    const next = async (command: string, args: unknown[]) => {
        calls.push({ command, args });
        if (answer instanceof Error) {
            throw answer;
        }

        return answer;
    };
    return { calls, next };
}

describe('leanAssist.suggest', () => {
    beforeEach(() => testDouble.reset());

    test('from the Command Palette, the target is the cursor in the active Lean editor', async () => {
        testDouble.activeTextEditor = editor({ line: 4, character: 10, version: 7 });
        const { calls, next } = server(result());
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], next);
        assert.deepEqual(calls, [{ command: 'leanAssist.suggest', args: [{ uri: 'file:///proj/Foo.lean', position: { line: 4, character: 10 }, version: 7 }] }]);
    });

    test('from a code action, the arguments it carries are passed unchanged', async () => {
        testDouble.activeTextEditor = editor({ line: 99 });
        const given = { uri: 'file:///proj/Bar.lean', position: { line: 1, character: 2 }, version: 3 };
        const { calls, next } = server(result({ uri: given.uri, version: 3 }));
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [given], next);
        assert.deepEqual(calls[0].args, [given]);
    });

    test('without a Lean file on disk in the editor, nothing is sent and the user is told what to do', async () => {
        for (const active of [undefined, editor({ languageId: 'markdown' }), editor({ scheme: 'untitled' })]) {
            testDouble.reset();
            testDouble.activeTextEditor = active;
            const { calls, next } = server(result());
            await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], next);
            assert.deepEqual(calls, []);
            assert.match(testDouble.messages[0].message, /open a Lean file and put the cursor on a `sorry`/);
        }
    });

    test('verified tactics for the version on screen open the quick-fix menu (the server offers them as code actions)', async () => {
        testDouble.activeTextEditor = editor({ version: 7 });
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], server(result()).next);
        assert.deepEqual(testDouble.executedCommands.map(c => c.command), ['editor.action.quickFix']);
    });

    test('after an edit, what was found is reported instead', async () => {
        testDouble.activeTextEditor = editor({ version: 7 });
        const changed = result({ version: 6, suggestions: [...result().suggestions, { ...result().suggestions[0], tactic: 'intro h', verdict: 'progress' }] });
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], server(changed).next);
        assert.deepEqual(testDouble.executedCommands, []);
        assert.match(testDouble.messages[0].message, /found 2 verified tactics \(1 closing the goal\)\. The document changed since/);
    });

    test('nothing verified: the server message, or how many were tried', async () => {
        testDouble.activeTextEditor = editor();
        const failed = { ...result().suggestions[0], verdict: 'failed', error: 'omega could not prove the goal' };
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], server(result({ suggestions: [failed, failed] })).next);
        assert.match(testDouble.messages[0].message, /Lean accepted none of the 2 tactics tried/);
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], server(result({ suggestions: [], message: 'No goal at this position.' })).next);
        assert.equal(testDouble.messages[1].message, 'LeanAssist: No goal at this position.');
        assert.deepEqual(testDouble.executedCommands, []);
    });

    test('cancelling the progress is silent; other failures are shown', async () => {
        testDouble.activeTextEditor = editor();
        const cancelled = Object.assign(new Error('Request cancelled'), { code: -32800 });
        assert.equal(await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], server(cancelled).next), undefined);
        assert.equal(testDouble.messages.length, 0, 'a cancelled run shows nothing');
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.suggest', [], server(new Error('pool queue is full')).next);
        assert.match(testDouble.messages[0].message, /leanAssist\.suggest failed: pool queue is full/);
    });

    test('suggestTarget keeps complete arguments only', () => {
        assert.equal(suggestTarget([{ uri: 'file:///x.lean' }], undefined), undefined, 'no position, no editor');
    });
});

describe('other server commands', () => {
    beforeEach(() => testDouble.reset());

    test('leanAssist.showMetrics shows the snapshot it returns in the metrics view', async () => {
        const shown: MetricsSnapshot[] = [];
        const snapshot = sampleSnapshot();
        const returned = await createExecuteCommandMiddleware(s => shown.push(s))('leanAssist.showMetrics', [], server(snapshot).next);
        assert.deepEqual(shown, [snapshot]);
        assert.equal(returned, snapshot);
    });

    test('leanAssist.clearCache reports what was removed', async () => {
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.clearCache', [], server({ verdictEntriesRemoved: 120, llmEntriesRemoved: 7 }).next);
        assert.equal(testDouble.messages[0].message, 'LeanAssist: cleared 120 verdicts and 7 LLM answers from the caches, and the learned tactic outcomes.');
    });

    test('leanAssist.restartLean confirms, and unknown commands pass straight through', async () => {
        await createExecuteCommandMiddleware(() => undefined)('leanAssist.restartLean', [], server(null).next);
        assert.match(testDouble.messages[0].message, /Lean sessions are restarting/);
        const { calls, next } = server(42);
        assert.equal(await createExecuteCommandMiddleware(() => undefined)('leanAssist.future', ['a'], next), 42);
        assert.deepEqual(calls, [{ command: 'leanAssist.future', args: ['a'] }]);
    });
});
