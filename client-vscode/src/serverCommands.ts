import * as vscode from 'vscode';
import { ServerCommands, type ClearCacheResult, type MetricsSnapshot, type SearchProofResult, type SuggestArguments, type SuggestResult } from './protocol';

/** vscode-languageclient's ExecuteCommandSignature: runs the command on the server. */
export type ExecuteOnServer = (command: string, args: unknown[]) => unknown;

/** JSON-RPC RequestCancelled: the user cancelled the progress notification. */
const RequestCancelled = -32800;

/** Verdicts the server offers as actions (the others are reported, not applied). */
const ApplicableVerdicts: readonly string[] = ['solved', 'progress'];

/**
 * Middleware for the commands the server executes (vscode-languageclient registers them in VS
 * Code under the names the server advertises): fills in `leanAssist.suggest`'s target from the
 * active editor when it was run from the Command Palette, and shows what the commands return.
 */
export function createExecuteCommandMiddleware(showMetrics: (snapshot: MetricsSnapshot) => void) {
    return async (command: string, args: unknown[], next: ExecuteOnServer): Promise<unknown> => {
        try {
            switch (command) {
                case ServerCommands.suggest:
                    return await suggest(args, next);
                case ServerCommands.searchProof:
                    return await searchProof(args, next);
                case ServerCommands.showMetrics: {
                    const snapshot = (await next(command, args)) as MetricsSnapshot | undefined;
                    if (snapshot) {
                        showMetrics(snapshot);
                    }

                    return snapshot;
                }
                case ServerCommands.clearCache: {
                    const cleared = (await next(command, args)) as ClearCacheResult | undefined;
                    if (cleared) {
                        void vscode.window.showInformationMessage(
                            `LeanAssist: cleared ${cleared.verdictEntriesRemoved} verdicts and ${cleared.llmEntriesRemoved} LLM answers from the caches, and the learned tactic outcomes.`,
                        );
                    }

                    return cleared;
                }
                case ServerCommands.restartLean: {
                    const result = await next(command, args);
                    void vscode.window.showInformationMessage('LeanAssist: the Lean sessions are restarting.');
                    return result;
                }
                default:
                    return await next(command, args);
            }
        } catch (error) {
            if ((error as { code?: unknown } | undefined)?.code !== RequestCancelled) {
                void vscode.window.showErrorMessage(`LeanAssist: ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
            }

            return undefined;
        }
    };
}

/**
 * The target of a suggest request: the arguments as given (a code action passes them), or the
 * cursor in the active Lean editor (the Command Palette passes none).
 */
export function suggestTarget(args: unknown[], editor: vscode.TextEditor | undefined): SuggestArguments | undefined {
    const given = args[0] as Partial<SuggestArguments> | undefined;
    if (given && typeof given.uri === 'string' && given.position !== undefined) {
        return given as SuggestArguments;
    }

    if (editor === undefined || editor.document.languageId !== 'lean4' || editor.document.uri.scheme !== 'file') {
        return undefined;
    }

    const cursor = editor.selection.active;
    return {
        uri: editor.document.uri.toString(),
        position: { line: cursor.line, character: cursor.character },
        version: editor.document.version,
    };
}

async function suggest(args: unknown[], next: ExecuteOnServer): Promise<SuggestResult | undefined> {
    const target = suggestTarget(args, vscode.window.activeTextEditor);
    if (target === undefined) {
        void vscode.window.showInformationMessage('LeanAssist: open a Lean file and put the cursor on a `sorry` or an unsolved goal, then ask again.');
        return undefined;
    }

    const result = (await next(ServerCommands.suggest, [target])) as SuggestResult | undefined;
    if (result !== undefined) {
        await presentSuggestResult(result, vscode.window.activeTextEditor);
    }

    return result;
}

async function searchProof(args: unknown[], next: ExecuteOnServer): Promise<SearchProofResult | undefined> {
    const target = suggestTarget(args, vscode.window.activeTextEditor);
    if (target === undefined) {
        void vscode.window.showInformationMessage('LeanAssist: open a Lean file and put the cursor on a `sorry`, then search again.');
        return undefined;
    }

    const result = (await next(ServerCommands.searchProof, [target])) as SearchProofResult | undefined;
    if (result !== undefined) {
        await presentSearchResult(result, vscode.window.activeTextEditor);
    }

    return result;
}

/**
 * A found proof is the server's quick fix "proof found (N steps, T)" at the sorry: open the quick-fix menu when the
 * editor still shows the version it was found for; otherwise (or when nothing was found) say what happened.
 */
export async function presentSearchResult(result: SearchProofResult, editor: vscode.TextEditor | undefined): Promise<void> {
    const current = editor !== undefined && editor.document.uri.toString() === result.uri && editor.document.version === result.version;
    if (result.script !== undefined && current) {
        await vscode.commands.executeCommand('editor.action.quickFix');
        return;
    }

    void vscode.window.showInformationMessage(
        result.script !== undefined
            ? `LeanAssist: ${result.message} The document changed since; search again on the new text.`
            : `LeanAssist: ${result.message}`,
    );
}

/**
 * After a suggest run the verified tactics are in the server's cache, so its code actions (with
 * edits it indented for the proof) list them: open the quick-fix menu when the editor still shows
 * the version they were computed for, otherwise say what was found.
 */
export async function presentSuggestResult(result: SuggestResult, editor: vscode.TextEditor | undefined): Promise<void> {
    const applicable = result.suggestions.filter(s => ApplicableVerdicts.includes(s.verdict));
    if (applicable.length === 0) {
        const tried = result.suggestions.length;
        void vscode.window.showInformationMessage(
            `LeanAssist: ${result.message ?? (tried === 0 ? 'no candidate tactics for this goal.' : `Lean accepted none of the ${tried} tactics tried.`)}`,
        );
        return;
    }

    const current = editor !== undefined && editor.document.uri.toString() === result.uri && editor.document.version === result.version;
    if (current) {
        await vscode.commands.executeCommand('editor.action.quickFix');
        return;
    }

    const solved = applicable.filter(s => s.verdict === 'solved').length;
    void vscode.window.showInformationMessage(
        `LeanAssist: found ${applicable.length} verified ${applicable.length === 1 ? 'tactic' : 'tactics'} (${solved} closing the goal). ` +
            'The document changed since; open the quick fixes at the `sorry` to see what still applies.',
    );
}
