import type { LanguageClient } from 'vscode-languageclient/node';

/** vscode-languageclient's own way of putting a message in front of the user (private in its typings). */
interface LibraryNotifications {
    showNotificationMessage(type: number, message?: string, data?: unknown): void;
}

/**
 * While the server is starting, vscode-languageclient's own error notifications ("LeanAssist client:
 * couldn't create connection to server. Message: write EPIPE") go to the output channel only (the library
 * logs them there before it shows them): the controller reports a failed start itself, once, with what
 * failed, Show Output and Restart Server. Once the server runs, the library's notifications are shown as usual.
 * Returns false when this version of the library has no such method (then nothing is changed).
 */
export function quietLibraryNotificationsWhileStarting(client: LanguageClient, starting: () => boolean): boolean {
    const library = client as unknown as LibraryNotifications;
    if (typeof library.showNotificationMessage !== 'function') {
        return false;
    }

    const show = library.showNotificationMessage.bind(client);
    library.showNotificationMessage = (type, message, data) => {
        if (!starting()) {
            show(type, message, data);
        }
    };
    return true;
}
