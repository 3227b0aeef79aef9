import * as vscode from 'vscode';
import { ApiKeys } from './apiKeys';
import { MetricsPanel } from './metricsView';
import { RedactingLogOutputChannel, SecretRedactor } from './redaction';
import { ClientCommands } from './clientCommands';
import { ServerController } from './serverController';
import { ServerPathSetting } from './serverLocation';
import { ConfigurationSection } from './settings';
import { StatusBar } from './statusView';

let controller: ServerController | undefined;

/**
 * The composition root. LeanAssist starts on the first Lean file (activationEvents
 * onLanguage:lean4). In Restricted Mode it does not start the server, because the server runs
 * `lake env` and the Lean REPL in the workspace, which executes workspace code; the status bar
 * says so, and the server starts as soon as the workspace is trusted.
 */
export function activate(context: vscode.ExtensionContext): void {
    const redactor = new SecretRedactor();
    const output = new RedactingLogOutputChannel(vscode.window.createOutputChannel('LeanAssist', { log: true }), redactor);
    const statusBar = new StatusBar(vscode.window.createStatusBarItem('leanAssist.status', vscode.StatusBarAlignment.Right, 100));
    const apiKeys = new ApiKeys(context.secrets, redactor);
    const metrics: MetricsPanel = new MetricsPanel(() => server.fetchMetrics());
    const server = new ServerController(context, output, statusBar, apiKeys, metrics);
    controller = server;
    context.subscriptions.push(output, statusBar, metrics, server);

    // Client-only commands. The server's own (suggest, restartLean, clearCache, showMetrics) are
    // registered by vscode-languageclient from the server's executeCommandProvider.
    context.subscriptions.push(
        vscode.commands.registerCommand(ClientCommands.setApiKey, () =>
            apiKeys.promptAndStore(vscode.workspace.getConfiguration(ConfigurationSection).get<string>('provider')),
        ),
        vscode.commands.registerCommand(ClientCommands.clearApiKey, () => apiKeys.promptAndClear()),
        vscode.commands.registerCommand(ClientCommands.restartServer, () =>
            vscode.workspace.isTrusted
                ? server.restart()
                : vscode.window.showInformationMessage('LeanAssist stays off in Restricted Mode. Trust the workspace to start it.'),
        ),
        vscode.commands.registerCommand(ClientCommands.showOutput, () => output.show(true)),
        context.secrets.onDidChange(event =>
            apiKeys.onSecretChanged(event).catch(error => output.warn(`Could not hand a changed API key to the server: ${String(error)}`)),
        ),
        vscode.workspace.onDidChangeConfiguration(event => {
            if (event.affectsConfiguration(ServerPathSetting) && vscode.workspace.isTrusted) {
                void server.restart();
            }
        }),
    );

    if (vscode.workspace.isTrusted) {
        void server.start();
    } else {
        statusBar.show({ kind: 'restricted' });
        output.info('LeanAssist stays off in Restricted Mode: it would run `lake env` and the Lean REPL, which execute workspace code.');
        context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void server.start()));
    }
}

export async function deactivate(): Promise<void> {
    await controller?.stop();
    controller = undefined;
}
