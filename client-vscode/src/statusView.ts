import * as vscode from 'vscode';
import type { StatusParams } from './protocol';
import { ClientCommands } from './clientCommands';
import { ServerCommands } from './protocol';
import { escapeMarkdown, formatDuration, formatPercent, formatTimeOfDay, formatUsd } from './format';

/** What the extension is doing, as far as the status bar is concerned. */
export type ClientState =
    | { kind: 'restricted' }
    | { kind: 'starting' }
    | { kind: 'running'; status?: StatusParams }
    | { kind: 'stopped'; reason: string };

export interface StatusPresentation {
    text: string;
    tooltip: vscode.MarkdownString;
    /** Set only when something is wrong, so that it is plain to see. */
    backgroundColor?: vscode.ThemeColor;
    accessibilityLabel: string;
    command: string;
}

const ManageTrustCommand = 'workbench.trust.manage';

/**
 * The one status bar item's content for a state. The text is short (health, sessions warm of
 * total, the last run's time, the verdict-cache hit rate, and today's LLM spend when an LLM is
 * configured); everything else is in the tooltip. A spinner shows while Lean sessions start or
 * suggestions run. Clicking opens the metrics view (or says what to do when LeanAssist is off).
 */
export function presentStatus(state: ClientState): StatusPresentation {
    switch (state.kind) {
        case 'restricted':
            return {
                text: '$(shield) LeanAssist off',
                tooltip: markdown(
                    '**LeanAssist is off in Restricted Mode.**\n\n' +
                        'It verifies tactics by running `lake env` and the Lean REPL in this project, which executes code from the workspace. ' +
                        'Trust the workspace to turn it on.',
                ),
                accessibilityLabel: 'LeanAssist is off because the workspace is not trusted',
                command: ManageTrustCommand,
            };
        case 'starting':
            return {
                text: '$(loading~spin) LeanAssist',
                tooltip: markdown('Starting the LeanAssist server…'),
                accessibilityLabel: 'LeanAssist is starting',
                command: ClientCommands.showOutput,
            };
        case 'stopped':
            return {
                text: '$(error) LeanAssist stopped',
                tooltip: markdown(`**LeanAssist stopped.** ${escapeMarkdown(state.reason)}\n\nClick to restart the server.`),
                backgroundColor: new vscode.ThemeColor('statusBarItem.errorBackground'),
                accessibilityLabel: `LeanAssist stopped: ${state.reason}`,
                command: ClientCommands.restartServer,
            };
        case 'running':
            return state.status === undefined
                ? {
                      text: '$(loading~spin) LeanAssist',
                      tooltip: markdown('The LeanAssist server is running; waiting for its first status.'),
                      accessibilityLabel: 'LeanAssist is starting',
                      command: ClientCommands.showOutput,
                  }
                : presentServerStatus(state.status);
    }
}

function presentServerStatus(status: StatusParams): StatusPresentation {
    const working = status.runningSuggestions > 0 || status.queueDepth > 0 || status.sessions.busy > 0 || status.sessions.starting > 0;
    const parts: string[] = [];
    if (status.verification?.backend === 'kimina') {
        parts.push(`Kimina ${status.verification.healthyServers}/${status.verification.totalServers}`);
    } else if (status.sessions.total > 0) {
        parts.push(`${status.sessions.warm}/${status.sessions.total}`);
    }

    if (status.lastRun !== undefined) {
        parts.push(formatDuration(status.lastRun.durationMs));
    }

    if (status.cache.verdictHitRate !== undefined) {
        parts.push(formatPercent(status.cache.verdictHitRate));
    }

    if (status.llm.provider !== 'none' || status.spend.todayUsd > 0) {
        parts.push(formatUsd(status.spend.todayUsd));
    }

    const icon = working ? '$(loading~spin)' : status.health === 'error' ? '$(error)' : status.health === 'degraded' ? '$(warning)' : '$(check)';
    const label = status.health === 'ok' ? 'LeanAssist' : `LeanAssist ${status.health}`;
    const text = [`${icon} ${label}`, ...parts].join(' · ');
    const backgroundColor =
        status.health === 'error'
            ? new vscode.ThemeColor('statusBarItem.errorBackground')
            : status.health === 'degraded'
              ? new vscode.ThemeColor('statusBarItem.warningBackground')
              : undefined;
    const healthSentence = status.health === 'ok' ? 'working' : `${status.health}${status.healthReason ? `: ${status.healthReason}` : ''}`;
    return {
        text,
        tooltip: statusTooltip(status),
        backgroundColor,
        accessibilityLabel: `LeanAssist ${healthSentence}. ${status.sessions.warm} of ${status.sessions.total} Lean sessions warm.`,
        command: ServerCommands.showMetrics,
    };
}

/** The tooltip: every field of the status, in a table. */
export function statusTooltip(status: StatusParams): vscode.MarkdownString {
    const lines: string[] = [];
    if (status.health === 'ok') {
        lines.push('**LeanAssist** is working.');
    } else {
        const heading = status.health === 'error' ? '$(error) **Error**' : '$(warning) **Degraded**';
        lines.push(`${heading}: ${escapeMarkdown(status.healthReason ?? 'no reason given')}`);
    }

    const { sessions, verification } = status;
    const rows: Array<[string, string]> = [
        ['Verification', verification === undefined ? 'local Lean sessions' : escapeMarkdown(verification.summary)],
        verification?.backend === 'kimina'
            ? ['Kimina servers', escapeMarkdown(verification.servers ?? 'none')]
            : [
                  'Lean sessions',
                  `${sessions.warm} warm, ${sessions.starting} starting, ${sessions.busy} busy of ${sessions.total}` +
                      (sessions.restarts > 0 ? ` (${sessions.restarts} restarted)` : ''),
              ],
        ['Work', `${status.runningSuggestions} running, ${status.queueDepth} queued`],
        ['Last run', status.lastRun === undefined ? 'none yet' : describeLastRun(status.lastRun)],
        ['Verdict cache', describeHitRate(status.cache.verdictHitRate, status.cache.verdictHits, status.cache.verdictLookups)],
        ['LLM cache', describeHitRate(status.cache.llmHitRate, status.cache.llmHits, status.cache.llmLookups)],
        ['LLM', describeLlm(status)],
        ['Spend today', describeSpend(status)],
        ['Sandbox', describeSandbox(status)],
    ];
    lines.push('', '| | |', '|---|---|', ...rows.map(([name, value]) => `| ${name} | ${value} |`), '', 'Click for metrics.');
    return markdown(lines.join('\n'));
}

function describeLastRun(run: NonNullable<StatusParams['lastRun']>): string {
    return (
        `${formatDuration(run.durationMs)} at ${formatTimeOfDay(run.finishedAt)}: ${run.tried} tried, ${run.verified} verified, ${run.solved} solved` +
        (run.fromCache ? ' (from cache)' : '')
    );
}

function describeHitRate(rate: number | undefined, hits: number, lookups: number): string {
    return rate === undefined ? 'no lookups yet' : `${formatPercent(rate)} (${hits} of ${lookups} lookups)`;
}

function describeLlm(status: StatusParams): string {
    const { llm } = status;
    if (llm.provider === 'none') {
        return 'none (built-in tactics only)';
    }

    const name = escapeMarkdown(llm.model ? `${llm.provider} ${llm.model}` : llm.provider);
    return llm.available ? name : `${name}, unavailable${llm.reason ? `: ${escapeMarkdown(llm.reason)}` : ''}`;
}

function describeSandbox(status: StatusParams): string {
    const { sandbox } = status;
    if (sandbox === undefined) {
        return 'not reported';
    }

    return sandbox.active ? `on: ${escapeMarkdown(sandbox.summary)}` : `$(warning) ${escapeMarkdown(sandbox.summary)}`;
}

function describeSpend(status: StatusParams): string {
    const { spend } = status;
    const cap = spend.dailyCapUsd === undefined ? '' : ` of ${formatUsd(spend.dailyCapUsd)} cap`;
    const reached = spend.capReached ? ` (cap reached${spend.capReason ? `: ${escapeMarkdown(spend.capReason)}` : ''}; built-in tactics only)` : '';
    return `${formatUsd(spend.todayUsd)}${cap}${reached}`;
}

function markdown(value: string): vscode.MarkdownString {
    // Theme icons ($(error)) render; nothing the server sends can run commands (not trusted).
    const result = new vscode.MarkdownString(value, true);
    result.isTrusted = false;
    return result;
}

/** Applies presentations to the status bar item. */
export class StatusBar implements vscode.Disposable {
    private state: ClientState = { kind: 'starting' };

    constructor(private readonly item: vscode.StatusBarItem) {
        item.name = 'LeanAssist';
    }

    get current(): ClientState {
        return this.state;
    }

    show(state: ClientState): void {
        this.state = state;
        const presentation = presentStatus(state);
        this.item.text = presentation.text;
        this.item.tooltip = presentation.tooltip;
        this.item.backgroundColor = presentation.backgroundColor;
        this.item.accessibilityInformation = { label: presentation.accessibilityLabel };
        this.item.command = presentation.command;
        this.item.show();
    }

    dispose(): void {
        this.item.dispose();
    }
}
