import './register-vscode-double';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { RedactingLogOutputChannel, SecretRedactor } from '../src/redaction';
import { classifyServerLogLine, pipeServerStderr } from '../src/serverOutput';
import { TestLogOutputChannel } from './vscode-double';

describe('SecretRedactor', () => {
    test('removes every known secret, raw and JSON-escaped', () => {
        const redactor = new SecretRedactor();
        redactor.add('test-first-secret-123');
        redactor.add('with"quote\\slash');
        const text = `a test-first-secret-123 b ${JSON.stringify({ key: 'with"quote\\slash' })}`;
        assert.equal(redactor.redact(text), 'a [redacted] b {"key":"[redacted]"}');
    });

    test('removes the longer of two overlapping secrets whole', () => {
        const redactor = new SecretRedactor();
        redactor.add('abcdefgh');
        redactor.add('abcdefgh-extended');
        assert.equal(redactor.redact('x abcdefgh-extended y'), 'x [redacted] y');
    });

    test('ignores values too short to be keys (they would blank out ordinary words)', () => {
        const redactor = new SecretRedactor();
        redactor.add('abc');
        assert.equal(redactor.redact('abc abc'), 'abc abc');
    });
});

describe('RedactingLogOutputChannel', () => {
    test('redacts every way text reaches the channel, arguments included', () => {
        const redactor = new SecretRedactor();
        redactor.add('test-secret-value-1');
        const inner = new TestLogOutputChannel('LeanAssist');
        const channel = new RedactingLogOutputChannel(inner as never, redactor);
        channel.trace('t test-secret-value-1');
        channel.debug('d', { key: 'test-secret-value-1' });
        channel.info('i', 'test-secret-value-1');
        channel.warn('w test-secret-value-1');
        channel.error(new Error('e test-secret-value-1'));
        channel.append('a test-secret-value-1');
        channel.appendLine('l test-secret-value-1');
        assert.equal(inner.lines.length, 7);
        assert.ok(!inner.text.includes('test-secret-value-1'), inner.text);
        assert.deepEqual(inner.lines.map(l => l.level), ['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine']);
        assert.equal(inner.lines[1].text, 'd {"key":"[redacted]"}');
    });

    test('a secret added later is redacted from then on', () => {
        const redactor = new SecretRedactor();
        const inner = new TestLogOutputChannel('LeanAssist');
        const channel = new RedactingLogOutputChannel(inner as never, redactor);
        redactor.add('test-added-later-1');
        channel.info('test-added-later-1');
        assert.equal(inner.lines[0].text, '[redacted]');
    });
});

describe('server stderr', () => {
    test('lines keep their level and lose the server timestamp', () => {
        assert.deepEqual(classifyServerLogLine('[12:34:56.789 WRN] Refused new settings', 'info'), { level: 'warn', message: 'Refused new settings' });
        assert.deepEqual(classifyServerLogLine('[12:34:56.789 INF] Applied 3 settings', 'error'), { level: 'info', message: 'Applied 3 settings' });
        assert.deepEqual(classifyServerLogLine('[12:34:56.789 ERR] boom', 'info'), { level: 'error', message: 'boom' });
        assert.deepEqual(classifyServerLogLine('[12:34:56.789 FTL] dead', 'info'), { level: 'error', message: 'dead' });
        assert.deepEqual(classifyServerLogLine('[12:34:56.789 DBG] detail', 'info'), { level: 'debug', message: 'detail' });
        assert.deepEqual(classifyServerLogLine('[12:34:56.789 VRB] noise', 'info'), { level: 'trace', message: 'noise' });
    });

    test('a stack trace line keeps the level of the line before it', () => {
        assert.deepEqual(classifyServerLogLine('   at LeanAssist.Server.Program.Main()', 'error'), { level: 'error', message: '   at LeanAssist.Server.Program.Main()' });
    });

    test('are piped line by line; output before the first log line (the .NET host) counts as an error', async () => {
        const stderr = new PassThrough();
        const channel = new TestLogOutputChannel('LeanAssist');
        pipeServerStderr(stderr, channel as never);
        const ended = new Promise(resolve => stderr.on('end', resolve));
        stderr.end('You must install or update .NET to run this application.\n[10:00:00.000 INF] started\n  continued\n');
        await ended;
        assert.deepEqual(channel.lines, [
            { level: 'error', text: 'You must install or update .NET to run this application.' },
            { level: 'info', text: 'started' },
            { level: 'info', text: '  continued' },
        ]);
    });
});
