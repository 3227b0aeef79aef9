/** What to do when the connection to the server closes. No message: nothing more to tell the user. */
export type CloseDecision = { restart: true } | { restart: false; message?: string };

/** The client whose connection closed, as the controller knows it. */
export interface ClosedClient {
    /** It answered `initialize` and ran; false for a start that failed (the start reports that failure itself). */
    readonly reachedRunning: boolean;
    /** It is still the controller's client; false once it was replaced or disposed (it must never be restarted). */
    readonly current: boolean;
}

/**
 * When the server stops unexpectedly, restart it, but not endlessly: a server that keeps
 * crashing (a broken runtime, a corrupt cache, a bug hit on every start) would otherwise flash
 * a restart loop and hide the cause. After `maxRestarts` restarts within `windowMs` it stays
 * down and the user is told so plainly, with where to look.
 */
export class ServerRestartPolicy {
    private closes: number[] = [];

    constructor(
        readonly maxRestarts = 4,
        readonly windowMs = 3 * 60_000,
        private readonly now: () => number = Date.now,
    ) {}

    /** A read or write on the connection failed; keep going for a few errors in a row, then shut down. */
    onConnectionError(consecutiveErrors: number | undefined): 'continue' | 'shutdown' {
        return (consecutiveErrors ?? 1) <= 3 ? 'continue' : 'shutdown';
    }

    onClosed(client: ClosedClient = { reachedRunning: true, current: true }): CloseDecision {
        // A disposed client cannot be restarted (vscode-languageclient throws "Client got disposed and
        // can't be restarted"), and restarting a server that failed to start would only fail again.
        if (!client.current || !client.reachedRunning) {
            return { restart: false };
        }

        const now = this.now();
        this.closes = [...this.closes.filter(time => now - time < this.windowMs), now];
        if (this.closes.length <= this.maxRestarts) {
            return { restart: true };
        }

        const minutes = Math.round(this.windowMs / 60_000);
        return {
            restart: false,
            message:
                `The LeanAssist server stopped ${this.closes.length} times in ${minutes} minutes, so it will not be restarted automatically. ` +
                'The "LeanAssist" output shows why. Run "LeanAssist: Restart Server" to try again.',
        };
    }

    /** The user restarted the server: count afresh. */
    reset(): void {
        this.closes = [];
    }
}
