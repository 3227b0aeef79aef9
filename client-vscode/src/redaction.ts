import type * as vscode from 'vscode';

/** Shortest value treated as a secret; shorter ones would blank out ordinary words in the log. */
const MinimumSecretLength = 8;

/**
 * Remembers every API key this window has handled and removes them from text. Keys pass through
 * the language client when they are sent to the server, and vscode-languageclient's message trace
 * (`leanAssist.trace.server` with the log level at Trace) prints every notification's parameters:
 * without this, a key would land in the output channel.
 */
export class SecretRedactor {
    private readonly secrets = new Set<string>();

    /** Remembers a secret. Call before the secret is sent anywhere that logs. */
    add(secret: string): void {
        const trimmed = secret.trim();
        if (trimmed.length < MinimumSecretLength) {
            return;
        }

        this.secrets.add(trimmed);
        // The trace prints parameters as JSON, where a key with quotes or backslashes is escaped.
        this.secrets.add(JSON.stringify(trimmed).slice(1, -1));
    }

    redact(text: string): string {
        let redacted = text;
        // Longest first, so a secret that contains another is removed whole.
        for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
            redacted = redacted.split(secret).join('[redacted]');
        }

        return redacted;
    }
}

/**
 * The extension's output channel: every line (server stderr, client messages and the LSP trace)
 * goes through the redactor before VS Code sees it.
 */
export class RedactingLogOutputChannel implements vscode.LogOutputChannel {
    constructor(
        private readonly inner: vscode.LogOutputChannel,
        private readonly redactor: SecretRedactor,
    ) {}

    get name(): string {
        return this.inner.name;
    }

    get logLevel(): vscode.LogLevel {
        return this.inner.logLevel;
    }

    get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
        return this.inner.onDidChangeLogLevel;
    }

    trace(message: string, ...args: unknown[]): void {
        this.inner.trace(this.clean(message, args));
    }

    debug(message: string, ...args: unknown[]): void {
        this.inner.debug(this.clean(message, args));
    }

    info(message: string, ...args: unknown[]): void {
        this.inner.info(this.clean(message, args));
    }

    warn(message: string, ...args: unknown[]): void {
        this.inner.warn(this.clean(message, args));
    }

    error(error: string | Error, ...args: unknown[]): void {
        this.inner.error(this.clean(typeof error === 'string' ? error : (error.stack ?? error.message), args));
    }

    append(value: string): void {
        this.inner.append(this.redactor.redact(value));
    }

    appendLine(value: string): void {
        this.inner.appendLine(this.redactor.redact(value));
    }

    replace(value: string): void {
        this.inner.replace(this.redactor.redact(value));
    }

    clear(): void {
        this.inner.clear();
    }

    show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
        if (typeof columnOrPreserveFocus === 'boolean' || columnOrPreserveFocus === undefined) {
            this.inner.show(columnOrPreserveFocus);
        } else {
            this.inner.show(columnOrPreserveFocus, preserveFocus);
        }
    }

    hide(): void {
        this.inner.hide();
    }

    dispose(): void {
        this.inner.dispose();
    }

    /** Folds the arguments into the message (VS Code would format them itself, unredacted). */
    private clean(message: string, args: unknown[]): string {
        const parts = [message, ...args.map(formatArgument)];
        return this.redactor.redact(parts.join(' '));
    }
}

function formatArgument(argument: unknown): string {
    if (typeof argument === 'string') {
        return argument;
    }

    if (argument instanceof Error) {
        return argument.stack ?? argument.message;
    }

    try {
        return JSON.stringify(argument) ?? String(argument);
    } catch {
        return String(argument);
    }
}
