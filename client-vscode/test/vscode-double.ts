// TEST DOUBLE for the `vscode` module. VS Code cannot run on the machines these tests run on, so
// the client's modules are loaded with this stand-in in place of the real API (see
// register-vscode-double.ts). It implements only what those modules use, records what they do
// (messages shown, commands run, settings written, lines logged), and answers prompts from
// scripts the tests set up in `testDouble`. It is not VS Code: behaviour that only real VS Code
// shows (rendering, focus, the extension host) is not tested here.
import type * as vscode from 'vscode';

export enum StatusBarAlignment {
    Left = 1,
    Right = 2,
}

export enum ViewColumn {
    Active = -1,
    Beside = -2,
    One = 1,
}

export enum LogLevel {
    Off = 0,
    Trace = 1,
    Debug = 2,
    Info = 3,
    Warning = 4,
    Error = 5,
}

export class Disposable {
    constructor(private readonly onDispose: () => void = () => undefined) {}

    dispose(): void {
        this.onDispose();
    }
}

export class EventEmitter<T> {
    private listeners: Array<(value: T) => unknown> = [];

    readonly event = (listener: (value: T) => unknown): Disposable => {
        this.listeners.push(listener);
        return new Disposable(() => {
            this.listeners = this.listeners.filter(l => l !== listener);
        });
    };

    fire(value: T): void {
        for (const listener of [...this.listeners]) {
            listener(value);
        }
    }

    dispose(): void {
        this.listeners = [];
    }
}

export class ThemeColor {
    constructor(readonly id: string) {}
}

export class MarkdownString {
    isTrusted = false;

    constructor(
        public value = '',
        public supportThemeIcons = false,
    ) {}

    appendMarkdown(value: string): this {
        this.value += value;
        return this;
    }

    appendText(value: string): this {
        this.value += value.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
        return this;
    }
}

export class Uri {
    private constructor(
        readonly scheme: string,
        readonly path: string,
    ) {}

    static file(path: string): Uri {
        return new Uri('file', path);
    }

    static parse(value: string): Uri {
        const separator = value.indexOf(':');
        return new Uri(value.slice(0, separator), value.slice(separator + 1).replace(/^\/\//, ''));
    }

    get fsPath(): string {
        return this.path;
    }

    toString(): string {
        return `${this.scheme}://${this.path}`;
    }
}

/** A log output channel that keeps every line with its level. */
export class TestLogOutputChannel {
    readonly lines: Array<{ level: string; text: string }> = [];
    readonly logLevel = LogLevel.Trace;
    private readonly levelChanged = new EventEmitter<LogLevel>();
    readonly onDidChangeLogLevel = this.levelChanged.event;
    shown = false;

    constructor(readonly name: string) {}

    trace(message: string): void {
        this.lines.push({ level: 'trace', text: message });
    }

    debug(message: string): void {
        this.lines.push({ level: 'debug', text: message });
    }

    info(message: string): void {
        this.lines.push({ level: 'info', text: message });
    }

    warn(message: string): void {
        this.lines.push({ level: 'warn', text: message });
    }

    error(message: string | Error): void {
        this.lines.push({ level: 'error', text: String(message) });
    }

    append(value: string): void {
        this.lines.push({ level: 'append', text: value });
    }

    appendLine(value: string): void {
        this.lines.push({ level: 'appendLine', text: value });
    }

    replace(value: string): void {
        this.lines.splice(0, this.lines.length, { level: 'replace', text: value });
    }

    clear(): void {
        this.lines.splice(0, this.lines.length);
    }

    show(): void {
        this.shown = true;
    }

    hide(): void {
        this.shown = false;
    }

    dispose(): void {}

    get text(): string {
        return this.lines.map(line => line.text).join('\n');
    }
}

export class TestStatusBarItem {
    id = 'test';
    alignment = StatusBarAlignment.Right;
    priority: number | undefined = undefined;
    name: string | undefined;
    text = '';
    tooltip: string | MarkdownString | undefined;
    color: string | ThemeColor | undefined;
    backgroundColor: ThemeColor | undefined;
    command: string | vscode.Command | undefined;
    accessibilityInformation: vscode.AccessibilityInformation | undefined;
    visible = false;

    show(): void {
        this.visible = true;
    }

    hide(): void {
        this.visible = false;
    }

    dispose(): void {
        this.visible = false;
    }
}

export class TestWebviewPanel {
    readonly webview = { html: '', cspSource: 'test-csp-source', options: {} };
    visible = true;
    revealed = 0;
    disposed = false;
    private readonly disposeEmitter = new EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    constructor(
        readonly viewType: string,
        readonly title: string,
        readonly options: unknown,
    ) {}

    reveal(): void {
        this.revealed++;
    }

    dispose(): void {
        this.disposed = true;
        this.disposeEmitter.fire();
    }
}

/** An in-memory SecretStorage. */
export class TestSecretStorage {
    readonly values = new Map<string, string>();
    private readonly changed = new EventEmitter<vscode.SecretStorageChangeEvent>();
    readonly onDidChange = this.changed.event;

    async get(key: string): Promise<string | undefined> {
        return this.values.get(key);
    }

    async store(key: string, value: string): Promise<void> {
        this.values.set(key, value);
        this.changed.fire({ key });
    }

    async delete(key: string): Promise<void> {
        this.values.delete(key);
        this.changed.fire({ key });
    }
}

interface ShownMessage {
    severity: 'information' | 'warning' | 'error';
    message: string;
    items: string[];
}

/** What the tests script and inspect. `reset()` between tests. */
export const testDouble = {
    messages: [] as ShownMessage[],
    /** Answers to the next messages with buttons, in order (undefined: dismissed). */
    messageAnswers: [] as Array<string | undefined>,
    executedCommands: [] as Array<{ command: string; args: unknown[] }>,
    commandHandlers: new Map<string, (...args: unknown[]) => unknown>(),
    /** Answers to the next quick picks, in order: each gets the items and picks one. */
    quickPickAnswers: [] as Array<(items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined>,
    /** Answers to the next input boxes, in order: each gets the options (to call validateInput). */
    inputBoxAnswers: [] as Array<(options: vscode.InputBoxOptions | undefined) => string | undefined>,
    inputBoxOptions: [] as Array<vscode.InputBoxOptions | undefined>,
    settings: new Map<string, unknown>(),
    settingUpdates: [] as Array<{ key: string; value: unknown }>,
    installedExtensions: new Set<string>(),
    webviewPanels: [] as TestWebviewPanel[],
    activeTextEditor: undefined as vscode.TextEditor | undefined,
    isTrusted: true,

    reset(): void {
        this.messages = [];
        this.messageAnswers = [];
        this.executedCommands = [];
        this.commandHandlers = new Map();
        this.quickPickAnswers = [];
        this.inputBoxAnswers = [];
        this.inputBoxOptions = [];
        this.settings = new Map();
        this.settingUpdates = [];
        this.installedExtensions = new Set();
        this.webviewPanels = [];
        this.activeTextEditor = undefined;
        this.isTrusted = true;
    },
};

function showMessage(severity: ShownMessage['severity']) {
    return async (message: string, ...items: unknown[]): Promise<string | undefined> => {
        const labels = items.filter((item): item is string => typeof item === 'string');
        testDouble.messages.push({ severity, message, items: labels });
        return labels.length > 0 ? testDouble.messageAnswers.shift() : undefined;
    };
}

export const window = {
    get activeTextEditor(): vscode.TextEditor | undefined {
        return testDouble.activeTextEditor;
    },
    showInformationMessage: showMessage('information'),
    showWarningMessage: showMessage('warning'),
    showErrorMessage: showMessage('error'),
    async showQuickPick(items: readonly vscode.QuickPickItem[] | Promise<readonly vscode.QuickPickItem[]>): Promise<vscode.QuickPickItem | undefined> {
        const answer = testDouble.quickPickAnswers.shift();
        if (answer === undefined) {
            throw new Error('TEST DOUBLE: a quick pick was shown, but the test scripted no answer.');
        }

        return answer(await items);
    },
    async showInputBox(options?: vscode.InputBoxOptions): Promise<string | undefined> {
        testDouble.inputBoxOptions.push(options);
        const answer = testDouble.inputBoxAnswers.shift();
        if (answer === undefined) {
            throw new Error('TEST DOUBLE: an input box was shown, but the test scripted no answer.');
        }

        return answer(options);
    },
    createOutputChannel(name: string): TestLogOutputChannel {
        return new TestLogOutputChannel(name);
    },
    createStatusBarItem(): TestStatusBarItem {
        return new TestStatusBarItem();
    },
    createWebviewPanel(viewType: string, title: string, _column: unknown, options: unknown): TestWebviewPanel {
        const panel = new TestWebviewPanel(viewType, title, options);
        testDouble.webviewPanels.push(panel);
        return panel;
    },
};

export const commands = {
    async executeCommand<T>(command: string, ...args: unknown[]): Promise<T> {
        testDouble.executedCommands.push({ command, args });
        const handler = testDouble.commandHandlers.get(command);
        return (handler === undefined ? undefined : await handler(...args)) as T;
    },
    registerCommand(command: string, handler: (...args: unknown[]) => unknown): Disposable {
        testDouble.commandHandlers.set(command, handler);
        return new Disposable(() => testDouble.commandHandlers.delete(command));
    },
};

export const workspace = {
    get isTrusted(): boolean {
        return testDouble.isTrusted;
    },
    getConfiguration(section?: string) {
        const prefix = section ? `${section}.` : '';
        return {
            get<T>(key: string, defaultValue?: T): T | undefined {
                const value = testDouble.settings.get(prefix + key);
                return (value === undefined ? defaultValue : value) as T | undefined;
            },
            has(key: string): boolean {
                return testDouble.settings.has(prefix + key);
            },
            async update(key: string, value: unknown): Promise<void> {
                testDouble.settingUpdates.push({ key: prefix + key, value });
                testDouble.settings.set(prefix + key, value);
            },
        };
    },
};

export const extensions = {
    getExtension(id: string): { id: string } | undefined {
        return testDouble.installedExtensions.has(id) ? { id } : undefined;
    },
};
