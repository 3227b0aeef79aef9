import * as os from 'node:os';
import * as vscode from 'vscode';
import {
    CloseAction,
    ErrorAction,
    LanguageClient,
    RevealOutputChannelOn,
    State,
    type ErrorHandler,
    type LanguageClientOptions,
} from 'vscode-languageclient/node';
import type { ApiKeys } from './apiKeys';
import { ClientCommands, ServerRunningContextKey } from './clientCommands';
import { acquireDotnetWithInstallTool } from './dotnetInstallTool';
import type { MetricsPanel } from './metricsView';
import { MetricsRequest, SetApiKeyNotification, StatusNotification, type MetricsSnapshot } from './protocol';
import { ServerRestartPolicy } from './restartPolicy';
import { createExecuteCommandMiddleware } from './serverCommands';
import { describeLaunch, prepareServerLaunch } from './serverLaunch';
import { ServerPathEnvironmentVariable, ServerStartError, type RemedyAction } from './serverLocation';
import { pipeServerStderr } from './serverOutput';
import { quietLibraryNotificationsWhileStarting } from './startNotifications';
import { ConfigurationSection, filterConfigurationAnswers, toServerSettings, type UserLevelGuard } from './settings';
import type { StatusBar } from './statusView';

const RestartServerTitle = 'Restart Server';

/**
 * Owns the language client: finds and starts the server, restarts it within bounds, and connects
 * it to the status bar, the metrics view and the API keys. Everything it decides is delegated to
 * modules tested without VS Code; this class only wires them to vscode-languageclient.
 */
export class ServerController implements vscode.Disposable {
    private client: LanguageClient | undefined;
    /** The start under way, so that two triggers (trust granted, a setting changed) start one server. */
    private starting: Promise<void> | undefined;
    private readonly restartPolicy = new ServerRestartPolicy();
    /** Workspace values of user-level-only settings already reported (once each per window is enough). */
    private readonly reportedWorkspaceSettings = new Set<string>();

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly output: vscode.LogOutputChannel,
        private readonly statusBar: StatusBar,
        private readonly apiKeys: ApiKeys,
        private readonly metrics: MetricsPanel,
    ) {}

    /** Fetches a metrics snapshot from the running server. */
    async fetchMetrics(): Promise<MetricsSnapshot> {
        if (this.client === undefined) {
            throw new Error('The LeanAssist server is not running.');
        }

        return this.client.sendRequest(MetricsRequest);
    }

    start(): Promise<void> {
        this.starting ??= this.startOnce().finally(() => {
            this.starting = undefined;
        });
        return this.starting;
    }

    private async startOnce(): Promise<void> {
        if (this.client !== undefined) {
            return;
        }

        this.statusBar.show({ kind: 'starting' });
        let client: LanguageClient | undefined;
        const lifecycle = { reachedRunning: false, isCurrent: () => client !== undefined && this.client === client };
        try {
            const launch = await prepareServerLaunch({
                environmentPath: process.env[ServerPathEnvironmentVariable],
                settingPath: vscode.workspace.getConfiguration(ConfigurationSection).get<string>('server.path'),
                extensionPath: this.context.extensionPath,
                platform: process.platform,
                arch: process.arch,
                homedir: os.homedir(),
                env: process.env,
                clientProcessId: process.pid,
                acquireDotnet: () => acquireDotnetWithInstallTool(this.context.extension.id),
            });
            this.output.info(describeLaunch(launch));
            client = new LanguageClient(
                'leanAssist',
                'LeanAssist',
                { command: launch.command, args: launch.args, options: { env: launch.env } },
                this.clientOptions(lifecycle),
            );
        } catch (error) {
            this.showFailure(error);
            return;
        }

        const started = client;
        this.client = client;
        if (!quietLibraryNotificationsWhileStarting(started, () => !lifecycle.reachedRunning)) {
            this.output.warn('This vscode-languageclient has no showNotificationMessage: a failed start may show its own message too.');
        }
        client.onNotification(StatusNotification, status => {
            this.statusBar.show({ kind: 'running', status });
            void this.metrics.onStatusChanged();
        });
        client.onDidChangeState(event => {
            if (event.newState === State.Running) {
                lifecycle.reachedRunning = true;
                void this.onServerReady(started);
            } else if (event.newState === State.Starting) {
                this.statusBar.show({ kind: 'starting' });
            } else if (event.newState === State.Stopped && this.client === started && this.statusBar.current.kind !== 'stopped') {
                // Stopped without our asking (after connection errors): do not leave a stale status behind.
                this.statusBar.show({ kind: 'stopped', reason: 'The connection to the server failed; the "LeanAssist" output shows why.' });
            }
        });

        try {
            await started.start();
        } catch (error) {
            this.client = undefined;
            await started.dispose().catch(() => undefined);
            this.showFailure(error);
        }
    }

    async stop(): Promise<void> {
        await this.starting;
        const client = this.client;
        this.client = undefined;
        this.apiKeys.detach();
        await vscode.commands.executeCommand('setContext', ServerRunningContextKey, false);
        if (client !== undefined) {
            await client.dispose().catch(error => this.output.warn(`Stopping the LeanAssist server failed: ${String(error)}`));
        }
    }

    /** `leanAssist.restartServer`: a fresh start, re-reading where the server is and counting restarts anew. */
    async restart(): Promise<void> {
        this.restartPolicy.reset();
        await this.stop();
        await this.start();
    }

    dispose(): void {
        void this.stop();
    }

    /** Runs on the first start and after every automatic restart (the new process has no keys). */
    private async onServerReady(client: LanguageClient): Promise<void> {
        if (this.client !== client) {
            return;
        }

        await vscode.commands.executeCommand('setContext', ServerRunningContextKey, true);
        if (this.statusBar.current.kind !== 'running') {
            this.statusBar.show({ kind: 'running' });
        }

        try {
            await this.apiKeys.attach(params => client.sendNotification(SetApiKeyNotification, params));
        } catch (error) {
            this.output.error(`Could not hand the stored API keys to the server: ${error instanceof Error ? error.message : String(error)}`);
        }
    }

    private clientOptions(lifecycle: { readonly reachedRunning: boolean; isCurrent(): boolean }): LanguageClientOptions {
        return {
            documentSelector: [{ scheme: 'file', language: 'lean4' }],
            outputChannel: this.output,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            // Settings travel with initialize, saving the server a round trip before its first answer.
            initializationOptions: () => ({ settings: toServerSettings(vscode.workspace.getConfiguration().get(ConfigurationSection), this.userLevelGuard()) }),
            errorHandler: this.errorHandler(lifecycle),
            // A refused initialize is reported once, by startOnce (what failed, Show Output, Restart), not
            // by the library's own raw message plus a second notification.
            initializationFailedHandler: () => false,
            middleware: {
                executeCommand: createExecuteCommandMiddleware(snapshot => this.metrics.show(snapshot)),
                workspace: {
                    configuration: async (params, token, next) => {
                        const answers = await next(params, token);
                        return Array.isArray(answers) ? filterConfigurationAnswers(params.items, answers, this.userLevelGuard()) : answers;
                    },
                },
            },
            stdioOptions: {
                // stdout carries the LSP messages (stdio transport); this handler is only for other transports.
                stdout: () => undefined,
                stderr: pipeServerStderr,
            },
        };
    }

    /** Where the values of settings a workspace may not set come from (see UserLevelOnlySettings). */
    private userLevelGuard(): UserLevelGuard {
        const configuration = vscode.workspace.getConfiguration(ConfigurationSection);
        return {
            inspect: key => configuration.inspect(key),
            ignored: setting => {
                if (!this.reportedWorkspaceSettings.has(setting)) {
                    this.reportedWorkspaceSettings.add(setting);
                    this.output.warn(`${setting} is set in this workspace's settings. LeanAssist ignores it there, because a project could use it to spend your money or send your API key elsewhere; it uses your user setting.`);
                }
            },
        };
    }

    private errorHandler(lifecycle: { readonly reachedRunning: boolean; isCurrent(): boolean }): ErrorHandler {
        return {
            error: (_error, _message, count) => ({
                action: this.restartPolicy.onConnectionError(count) === 'continue' ? ErrorAction.Continue : ErrorAction.Shutdown,
                handled: true,
            }),
            closed: () => {
                const decision = this.restartPolicy.onClosed({ reachedRunning: lifecycle.reachedRunning, current: lifecycle.isCurrent() });
                if (decision.restart) {
                    this.output.warn('The LeanAssist server stopped unexpectedly; restarting it.');
                    return { action: CloseAction.Restart, handled: true };
                }

                if (decision.message === undefined) {
                    return { action: CloseAction.DoNotRestart, handled: true };
                }

                this.output.error(decision.message);
                this.statusBar.show({ kind: 'stopped', reason: decision.message });
                void vscode.commands.executeCommand('setContext', ServerRunningContextKey, false);
                void this.offer(decision.message, [{ title: RestartServerTitle, kind: 'command', command: ClientCommands.restartServer }]);
                return { action: CloseAction.DoNotRestart, handled: true };
            },
        };
    }

    private showFailure(error: unknown): void {
        const message = error instanceof Error ? error.message : String(error);
        const remedies = error instanceof ServerStartError ? error.remedies : [];
        const text = error instanceof ServerStartError ? message : `The LeanAssist server did not start: ${message}`;
        this.output.error(text);
        this.statusBar.show({ kind: 'stopped', reason: text });
        const restart: RemedyAction = { title: RestartServerTitle, kind: 'command', command: ClientCommands.restartServer };
        void this.offer(text, [...remedies, restart]);
    }

    /** An error notification with the remedies as buttons, plus one that opens the output. */
    private async offer(message: string, remedies: RemedyAction[]): Promise<void> {
        const showOutput: RemedyAction = { title: 'Show Output', kind: 'command', command: ClientCommands.showOutput };
        const choices = [...remedies, showOutput];
        const picked = await vscode.window.showErrorMessage(`LeanAssist: ${message}`, ...choices.map(choice => choice.title));
        const remedy = choices.find(choice => choice.title === picked);
        if (remedy?.kind === 'openUrl') {
            await vscode.env.openExternal(vscode.Uri.parse(remedy.url));
        } else if (remedy?.kind === 'command') {
            await vscode.commands.executeCommand(remedy.command, ...(remedy.args ?? []));
        }
    }
}
