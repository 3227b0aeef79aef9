/** Commands the client itself registers (the server's are in protocol.ts, ServerCommands). */
export const ClientCommands = {
    setApiKey: 'leanAssist.setApiKey',
    clearApiKey: 'leanAssist.clearApiKey',
    restartServer: 'leanAssist.restartServer',
    showOutput: 'leanAssist.showOutput',
} as const;

/** Context key for `when` clauses: the server's commands exist only while it runs. */
export const ServerRunningContextKey = 'leanAssist.serverRunning';
