import './register-vscode-double';
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ApiKeys, apiKeySecretName, validateApiKey } from '../src/apiKeys';
import type { SetApiKeyParams } from '../src/protocol';
import { RedactingLogOutputChannel, SecretRedactor } from '../src/redaction';
import { TestLogOutputChannel, TestSecretStorage, testDouble } from './vscode-double';

const AnthropicKey = 'test-anthropic-key-not-real';
const OpenAiKey = 'test-openai-key-not-real';

/** ApiKeys over an in-memory SecretStorage, with a log channel and the notifications it sends. */
function setUp() {
    const secrets = new TestSecretStorage();
    const redactor = new SecretRedactor();
    const log = new TestLogOutputChannel('LeanAssist');
    const output = new RedactingLogOutputChannel(log as never, redactor);
    const sent: SetApiKeyParams[] = [];
    const keys = new ApiKeys(secrets as never, redactor);
    // A stand-in for the client: vscode-languageclient's verbose trace logs notification parameters as JSON.
    const send = async (params: SetApiKeyParams) => {
        output.trace(`Sending notification 'leanAssist/setApiKey'.\nParams: ${JSON.stringify(params, null, 4)}`);
        sent.push(params);
    };
    return { secrets, redactor, log, output, sent, keys, send };
}

function pick(label: RegExp) {
    return (items: readonly { label: string }[]) => {
        const item = items.find(i => label.test(i.label));
        assert.ok(item, `no quick pick item matches ${label}: ${items.map(i => i.label).join(', ')}`);
        return item as never;
    };
}

describe('setting an API key', () => {
    beforeEach(() => testDouble.reset());

    test('stores it in secret storage, sends it to the server, and writes no setting', async () => {
        const { secrets, sent, keys, send } = setUp();
        await keys.attach(send);
        testDouble.quickPickAnswers.push(pick(/Anthropic/));
        testDouble.inputBoxAnswers.push(() => `  ${AnthropicKey}  `);
        await keys.promptAndStore('anthropic');

        assert.equal(secrets.values.get('leanAssist.apiKey.anthropic'), AnthropicKey);
        assert.deepEqual(sent, [{ provider: 'anthropic', key: AnthropicKey }]);
        assert.deepEqual(testDouble.settingUpdates, []);
        assert.equal(testDouble.inputBoxOptions[0]?.password, true, 'the key is typed into a password box');
    });

    test('offers the configured provider first', async () => {
        const { keys } = setUp();
        let offered: string[] = [];
        testDouble.quickPickAnswers.push(items => {
            offered = items.map(i => i.label);
            return undefined;
        });
        await keys.promptAndStore('gemini');
        assert.match(offered[0], /Gemini/);
    });

    test('the key never appears in messages or in the output, even with a verbose trace', async () => {
        const { log, keys, send } = setUp();
        await keys.attach(send);
        testDouble.quickPickAnswers.push(pick(/OpenAI/));
        testDouble.inputBoxAnswers.push(() => OpenAiKey);
        await keys.promptAndStore(undefined);

        assert.match(log.text, /leanAssist\/setApiKey/, 'the trace line was written');
        assert.match(log.text, /"key": "\[redacted\]"/);
        assert.ok(!log.text.includes(OpenAiKey), log.text);
        for (const message of testDouble.messages) {
            assert.ok(!message.message.includes(OpenAiKey), message.message);
        }

        assert.match(testDouble.messages.at(-1)?.message ?? '', /stored in VS Code's secret storage and the server uses it now/);
    });

    test('without a running server the key is stored and sent when the server starts', async () => {
        const { secrets, sent, keys, send } = setUp();
        testDouble.quickPickAnswers.push(pick(/Gemini/));
        testDouble.inputBoxAnswers.push(() => 'test-gemini-key-not-real');
        await keys.promptAndStore(undefined);
        assert.deepEqual(sent, []);
        assert.match(testDouble.messages.at(-1)?.message ?? '', /the server receives it when it starts/);

        await secrets.store(apiKeySecretName('openai'), OpenAiKey);
        await keys.attach(send);
        assert.deepEqual(sent, [
            { provider: 'openai', key: OpenAiKey },
            { provider: 'gemini', key: 'test-gemini-key-not-real' },
        ]);
    });

    test('cancelling at either prompt stores nothing', async () => {
        const { secrets, keys } = setUp();
        testDouble.quickPickAnswers.push(() => undefined);
        await keys.promptAndStore(undefined);
        testDouble.quickPickAnswers.push(pick(/OpenAI/));
        testDouble.inputBoxAnswers.push(() => undefined);
        await keys.promptAndStore(undefined);
        assert.equal(secrets.values.size, 0);
    });

    test('input that cannot be a key is refused without repeating it', () => {
        assert.match(validateApiKey('   ') ?? '', /Enter the API key/);
        assert.match(validateApiKey('sk-abc def') ?? '', /no spaces/);
        assert.match(validateApiKey('x'.repeat(600)) ?? '', /longer than any API key/);
        assert.ok(!(validateApiKey('sk abc') ?? '').includes('sk abc'));
        assert.equal(validateApiKey(AnthropicKey), undefined);
    });
});

describe('clearing an API key', () => {
    beforeEach(() => testDouble.reset());

    test('deletes it and tells the server to forget it', async () => {
        const { secrets, sent, keys, send } = setUp();
        await secrets.store(apiKeySecretName('anthropic'), AnthropicKey);
        await secrets.store(apiKeySecretName('openai'), OpenAiKey);
        await keys.attach(send);
        sent.length = 0;

        let offered: string[] = [];
        testDouble.quickPickAnswers.push(items => {
            offered = items.map(i => i.label);
            return pick(/Anthropic/)(items);
        });
        await keys.promptAndClear();
        assert.equal(offered.length, 2, 'only stored keys are offered');
        assert.equal(secrets.values.has('leanAssist.apiKey.anthropic'), false);
        assert.equal(secrets.values.has('leanAssist.apiKey.openai'), true);
        assert.deepEqual(sent, [{ provider: 'anthropic', key: null }]);
    });

    test('says so when no key is stored', async () => {
        const { keys } = setUp();
        await keys.promptAndClear();
        assert.match(testDouble.messages[0].message, /no API key is stored/);
    });
});

describe('keys changed in another window', () => {
    beforeEach(() => testDouble.reset());

    test('reach the server, and unrelated secrets are ignored', async () => {
        const { secrets, sent, keys, send } = setUp();
        await keys.attach(send);
        secrets.values.set(apiKeySecretName('openai'), OpenAiKey);
        await keys.onSecretChanged({ key: apiKeySecretName('openai') });
        secrets.values.delete(apiKeySecretName('openai'));
        await keys.onSecretChanged({ key: apiKeySecretName('openai') });
        await keys.onSecretChanged({ key: 'someOtherExtension.token' });
        assert.deepEqual(sent, [
            { provider: 'openai', key: OpenAiKey },
            { provider: 'openai', key: null },
        ]);
    });

    test('a new server is given every stored key again', async () => {
        const { secrets, sent, keys, send } = setUp();
        await secrets.store(apiKeySecretName('openai'), OpenAiKey);
        await keys.attach(send);
        keys.detach();
        await keys.attach(send);
        assert.deepEqual(sent, [
            { provider: 'openai', key: OpenAiKey },
            { provider: 'openai', key: OpenAiKey },
        ]);
    });

    test('are not sent while no server runs', async () => {
        const { sent, keys, send } = setUp();
        await keys.attach(send);
        keys.detach();
        await keys.onSecretChanged({ key: apiKeySecretName('openai') });
        assert.deepEqual(sent, []);
    });
});
