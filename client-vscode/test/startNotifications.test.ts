// The bundled vscode-languageclient still routes its notifications through the method the controller
// quiets while the server starts (so a failed start shows LeanAssist's one message, not the library's
// "couldn't create connection to server" beside it); an upgrade that renames it fails here.
import './any-vscode-stub';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanguageClient } from 'vscode-languageclient/node';
import { quietLibraryNotificationsWhileStarting } from '../src/startNotifications';

describe('library notifications while the server starts', () => {
    test('are dropped while starting and shown once the server runs, through the library\'s real method', () => {
        const client = new LanguageClient('leanAssist', 'LeanAssist', { command: 'unused' }, { documentSelector: [{ language: 'lean4' }] });
        const library = client as unknown as { showNotificationMessage(type: number, message?: string): void };
        assert.equal(typeof library.showNotificationMessage, 'function', 'vscode-languageclient no longer has showNotificationMessage');
        const shown: string[] = [];
        library.showNotificationMessage = (_type, message) => shown.push(message ?? '');
        let starting = true;

        assert.equal(quietLibraryNotificationsWhileStarting(client, () => starting), true);
        (client as unknown as { error(message: string, data: unknown, show: 'force'): void }).error("LeanAssist client: couldn't create connection to server.", undefined, 'force');
        starting = false;
        (client as unknown as { error(message: string, data: unknown, show: 'force'): void }).error('later', undefined, 'force');

        assert.deepEqual(shown, ['later']);
    });
});
