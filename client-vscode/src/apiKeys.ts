import * as vscode from 'vscode';
import type { SetApiKeyParams } from './protocol';
import type { SecretRedactor } from './redaction';
import { ApiKeyProviders, isApiKeyProvider, type ApiKeyProvider } from './settings';

/** SecretStorage holds one entry per provider under this prefix. */
export const ApiKeySecretPrefix = 'leanAssist.apiKey.';

export function apiKeySecretName(provider: ApiKeyProvider): string {
    return `${ApiKeySecretPrefix}${provider}`;
}

/** Sends `leanAssist/setApiKey` to the running server. */
export type SendApiKey = (params: SetApiKeyParams) => Promise<void>;

/** Longest key accepted; real keys are far shorter, so anything longer was pasted by mistake. */
const MaximumKeyLength = 512;

/** Refuses input that cannot be an API key; the message never repeats the input. */
export function validateApiKey(value: string): string | undefined {
    const key = value.trim();
    if (key.length === 0) {
        return 'Enter the API key, or press Escape to cancel.';
    }

    if (/\s/.test(key)) {
        return 'An API key has no spaces or line breaks.';
    }

    if (key.length > MaximumKeyLength) {
        return `That is longer than any API key (${MaximumKeyLength} characters at most).`;
    }

    return undefined;
}

/**
 * The API keys: kept in VS Code's SecretStorage (never in settings), handed to the server in
 * memory with `leanAssist/setApiKey` when it starts and whenever a key changes, and registered
 * with the redactor before they go anywhere that logs.
 */
export class ApiKeys {
    private send: SendApiKey | undefined;

    constructor(
        private readonly secrets: vscode.SecretStorage,
        private readonly redactor: SecretRedactor,
    ) {}

    /** A server is ready: remember how to reach it and give it every stored key. */
    async attach(send: SendApiKey): Promise<void> {
        this.send = send;
        for (const { id } of ApiKeyProviders) {
            const key = await this.secrets.get(apiKeySecretName(id));
            if (key) {
                this.redactor.add(key);
                await send({ provider: id, key });
            }
        }
    }

    /** The server stopped; keys stay stored and are sent again on the next attach. */
    detach(): void {
        this.send = undefined;
    }

    /** `leanAssist.setApiKey`: asks for the provider (the configured one first) and the key. */
    async promptAndStore(configuredProvider: string | undefined): Promise<void> {
        const provider = await this.pickProvider('Set the API key for', ApiKeyProviders.map(p => p.id), configuredProvider);
        if (provider === undefined) {
            return;
        }

        const label = providerLabel(provider);
        const input = await vscode.window.showInputBox({
            title: `LeanAssist: ${label} API key`,
            prompt: "Stored in VS Code's secret storage (the operating system's keychain), never in settings.",
            password: true,
            ignoreFocusOut: true,
            validateInput: validateApiKey,
        });
        if (input === undefined || validateApiKey(input) !== undefined) {
            return;
        }

        const key = input.trim();
        this.redactor.add(key);
        await this.secrets.store(apiKeySecretName(provider), key);
        await this.send?.({ provider, key });
        void vscode.window.showInformationMessage(
            `LeanAssist: the ${label} API key is stored in VS Code's secret storage` +
                (this.send === undefined ? '; the server receives it when it starts.' : ' and the server uses it now.'),
        );
    }

    /** `leanAssist.clearApiKey`: forgets a stored key, here and in the server. */
    async promptAndClear(): Promise<void> {
        const stored: ApiKeyProvider[] = [];
        for (const { id } of ApiKeyProviders) {
            if (await this.secrets.get(apiKeySecretName(id))) {
                stored.push(id);
            }
        }

        if (stored.length === 0) {
            void vscode.window.showInformationMessage('LeanAssist: no API key is stored. (Keys read from environment variables are not affected.)');
            return;
        }

        const provider = await this.pickProvider('Clear the API key for', stored, undefined);
        if (provider === undefined) {
            return;
        }

        await this.secrets.delete(apiKeySecretName(provider));
        await this.send?.({ provider, key: null });
        void vscode.window.showInformationMessage(`LeanAssist: the ${providerLabel(provider)} API key is cleared.`);
    }

    /**
     * Keeps the server in step when another VS Code window changed a key. The event also follows this
     * window's own store or delete, so the server may get the same value twice: harmless, since setting a key
     * only replaces it in memory, and simpler than tracking what was sent.
     */
    async onSecretChanged(event: vscode.SecretStorageChangeEvent): Promise<void> {
        const provider = event.key.startsWith(ApiKeySecretPrefix) ? event.key.slice(ApiKeySecretPrefix.length) : undefined;
        if (!isApiKeyProvider(provider) || this.send === undefined) {
            return;
        }

        const key = await this.secrets.get(event.key);
        if (key) {
            this.redactor.add(key);
        }

        await this.send({ provider, key: key || null });
    }

    private async pickProvider(title: string, choices: readonly ApiKeyProvider[], preferred: string | undefined): Promise<ApiKeyProvider | undefined> {
        if (choices.length === 1) {
            return choices[0];
        }

        const ordered = [...choices].sort((a, b) => Number(b === preferred) - Number(a === preferred));
        const picked = await vscode.window.showQuickPick(
            ordered.map(id => ({ label: providerLabel(id), description: id === preferred ? 'configured in leanAssist.provider' : undefined, provider: id })),
            { title: `LeanAssist: ${title}…`, placeHolder: 'Provider' },
        );
        return picked?.provider;
    }
}

function providerLabel(provider: ApiKeyProvider): string {
    return ApiKeyProviders.find(p => p.id === provider)?.label ?? provider;
}
