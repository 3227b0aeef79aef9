import './register-vscode-double';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServerRestartPolicy } from '../src/restartPolicy';

describe('restarting a crashed server', () => {
    test('restarts up to the limit within the window, then stops and says so plainly', () => {
        let now = 0;
        const policy = new ServerRestartPolicy(4, 180_000, () => now);
        for (let crash = 1; crash <= 4; crash++) {
            now += 10_000;
            assert.deepEqual(policy.onClosed(), { restart: true }, `crash ${crash}`);
        }

        now += 10_000;
        const fifth = policy.onClosed();
        assert.equal(fifth.restart, false);
        assert.match(fifth.restart ? '' : (fifth.message ?? ''), /stopped 5 times in 3 minutes, so it will not be restarted automatically.*"LeanAssist" output.*LeanAssist: Restart Server/);
    });

    test('crashes older than the window are forgotten', () => {
        let now = 0;
        const policy = new ServerRestartPolicy(2, 60_000, () => now);
        policy.onClosed();
        policy.onClosed();
        now += 61_000;
        assert.deepEqual(policy.onClosed(), { restart: true });
    });

    test('a manual restart counts afresh', () => {
        const policy = new ServerRestartPolicy(1, 60_000, () => 0);
        policy.onClosed();
        assert.equal(policy.onClosed().restart, false);
        policy.reset();
        assert.equal(policy.onClosed().restart, true);
    });

    test('connection errors: a few in a row are tolerated, then the client shuts down', () => {
        const policy = new ServerRestartPolicy();
        assert.equal(policy.onConnectionError(undefined), 'continue');
        assert.equal(policy.onConnectionError(3), 'continue');
        assert.equal(policy.onConnectionError(4), 'shutdown');
    });

    test('a start that failed is never restarted and adds no message (the start reports it once)', () => {
        const policy = new ServerRestartPolicy();
        for (let close = 0; close < 10; close++) {
            assert.deepEqual(policy.onClosed({ reachedRunning: false, current: true }), { restart: false });
        }
        // Nor did those closes count against a later server that runs and then crashes.
        assert.deepEqual(policy.onClosed({ reachedRunning: true, current: true }), { restart: true });
    });

    test('a client that was disposed or replaced is never restarted (vscode-languageclient cannot restart it)', () => {
        const policy = new ServerRestartPolicy();
        assert.deepEqual(policy.onClosed({ reachedRunning: true, current: false }), { restart: false });
        assert.deepEqual(policy.onClosed({ reachedRunning: false, current: false }), { restart: false });
    });

    test('a crash and an unexpected exit of a running server are restarted, and counted', () => {
        let now = 0;
        const policy = new ServerRestartPolicy(1, 60_000, () => now);
        const running = { reachedRunning: true, current: true };
        assert.deepEqual(policy.onClosed(running), { restart: true }, 'the crash');
        now += 1_000;
        const exit = policy.onClosed(running);
        assert.equal(exit.restart, false, 'the exit right after: over the limit');
        assert.match(exit.restart ? '' : (exit.message ?? ''), /will not be restarted automatically/);
    });
});
