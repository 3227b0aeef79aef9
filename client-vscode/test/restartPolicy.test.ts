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
        assert.match(fifth.restart ? '' : fifth.message, /stopped 5 times in 3 minutes, so it will not be restarted automatically.*"LeanAssist" output.*LeanAssist: Restart Server/);
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
});
