// Runs named scenarios one after another, each with its screenshots, and records what happened.
export class ScenarioRunner {
    constructor() {
        /** @type {Array<{name: string, title: string, passed: boolean, error?: string, seconds: number, screenshots: string[], details: object}>} */
        this.results = [];
    }

    /**
     * @param {string} name   the scenario's id (the xunit test names it)
     * @param {string} title  what it shows, in a sentence
     * @param {import('./workbench.mjs').Workbench | undefined} workbench for the failure screenshot
     * @param {(context: {shot: (step: string) => Promise<string>, details: object}) => Promise<void>} body
     */
    async run(name, title, workbench, body) {
        const started = Date.now();
        const screenshots = [];
        const details = {};
        const shot = async step => {
            const file = await workbench.screenshot(name, step);
            screenshots.push(file);
            return file;
        };
        console.log(`# scenario ${name}: ${title}`);
        try {
            await body({ shot, details });
            this.results.push({ name, title, passed: true, seconds: (Date.now() - started) / 1000, screenshots, details });
            console.log(`ok ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        } catch (error) {
            if (workbench !== undefined) {
                await shot('failure').catch(() => {});
            }

            const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : ''}` : String(error);
            this.results.push({ name, title, passed: false, error: message, seconds: (Date.now() - started) / 1000, screenshots, details });
            console.log(`not ok ${name}: ${message}`);
        }
    }

    /** Records a scenario that could not run because an earlier step (starting code-server) failed. */
    notRun(name, title, reason) {
        this.results.push({ name, title, passed: false, error: `not run: ${reason}`, seconds: 0, screenshots: [], details: {} });
        console.log(`not ok ${name}: not run: ${reason}`);
    }
}

/** Throws with `message` unless `condition` holds. */
export function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}
