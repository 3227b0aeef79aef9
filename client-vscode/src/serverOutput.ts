import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import type * as vscode from 'vscode';

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface ServerLogLine {
    level: LogLevelName;
    message: string;
}

// The server writes "[12:34:56.789 INF] message" to stderr (server/LeanAssist.Server/Hosting/Logging.cs).
const ServerLinePrefix = /^\[\d{2}:\d{2}:\d{2}(?:\.\d+)? (VRB|DBG|INF|WRN|ERR|FTL)\] ?/;

const LevelByTag: Record<string, LogLevelName> = {
    VRB: 'trace',
    DBG: 'debug',
    INF: 'info',
    WRN: 'warn',
    ERR: 'error',
    FTL: 'error',
};

/**
 * Reads the level of one stderr line so the output channel shows server logs at their real level
 * (vscode-languageclient would show every stderr line as an error). The server's timestamp is
 * dropped because the channel adds its own. Lines without a prefix (exception stack traces,
 * messages from the .NET host) keep the level of the line before them.
 */
export function classifyServerLogLine(line: string, previous: LogLevelName): ServerLogLine {
    const match = ServerLinePrefix.exec(line);
    if (match === null) {
        return { level: previous, message: line };
    }

    return { level: LevelByTag[match[1]] ?? 'info', message: line.slice(match[0].length) };
}

/** Sends the server's stderr, line by line and at the right level, to the output channel. */
export function pipeServerStderr(input: Readable, channel: vscode.LogOutputChannel): void {
    // Before the first prefixed line, output comes from the .NET host (missing runtime, bad dll): errors.
    let level: LogLevelName = 'error';
    readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', line => {
        const classified = classifyServerLogLine(line, level);
        level = classified.level;
        channel[classified.level](classified.message);
    });
}
