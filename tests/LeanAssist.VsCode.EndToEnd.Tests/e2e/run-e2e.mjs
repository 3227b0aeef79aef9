// End-to-end tests of the LeanAssist VSIX in a real VS Code (code-server 4.139.1 = VS Code 1.139.1),
// driven in headless Chromium by playwright-core. Run by LeanAssist.VsCode.EndToEnd.Tests (dotnet test),
// which builds the VSIXes and passes everything in the environment:
//   LEANASSIST_E2E_TOOLS          what install-tools.sh installed (Node 24, code-server)
//   LEANASSIST_E2E_CHROMIUM       the Chromium executable
//   LEANASSIST_E2E_VSIX           the universal VSIX built from the checkout (npm run package)
//   LEANASSIST_E2E_PLATFORM_VSIX  the linux-x64 VSIX with a self-contained server (optional; see no-dotnet)
//   LEANASSIST_E2E_LEAN4_VSIX     the leanprover.lean4 test double (language registration only)
//   LEANASSIST_E2E_STANDIN        the REPL stand-in's executable (a test double for the Lean REPL)
//   LEANASSIST_E2E_OUT            where screenshots, logs and results.json go
// Three code-server instances, each with its own user-data, extensions and cache folders:
//   main      Restricted Mode, then everything a person does in one window (one instance, reused);
//   measure   a fresh, trusted window: time from opening the file to the first verified quick fix;
//   no-dotnet a fresh window whose PATH has no dotnet and no DOTNET_ROOT.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeServer } from './lib/codeServer.mjs';
import { ScenarioRunner, check } from './lib/scenarioRunner.mjs';
import { Workbench, launchBrowser } from './lib/workbench.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repository = resolve(here, '..', '..', '..');
const env = name => {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set (LeanAssist.VsCode.EndToEnd.Tests sets it).`);
    }
    return value;
};

const tools = env('LEANASSIST_E2E_TOOLS');
const chromiumPath = env('LEANASSIST_E2E_CHROMIUM');
const vsix = env('LEANASSIST_E2E_VSIX');
const platformVsix = process.env.LEANASSIST_E2E_PLATFORM_VSIX || undefined;
const lean4Vsix = env('LEANASSIST_E2E_LEAN4_VSIX');
const standIn = env('LEANASSIST_E2E_STANDIN');
const out = env('LEANASSIST_E2E_OUT');
// LEANASSIST_E2E_INSTANCES=main,measure,no-dotnet (default: all) runs only those instances, for development.
const only = process.env.LEANASSIST_E2E_INSTANCES ? new Set(process.env.LEANASSIST_E2E_INSTANCES.split(',')) : undefined;

const runStarted = Date.now();
const screenshots = join(out, 'screenshots');
const work = join(out, 'work');
rmSync(work, { recursive: true, force: true });
mkdirSync(screenshots, { recursive: true });
const runner = new ScenarioRunner();

/** A workspace folder holding the repository's example file. */
function workspace(name) {
    const folder = join(work, name, 'workspace');
    mkdirSync(folder, { recursive: true });
    cpSync(join(repository, 'examples', 'Basics.lean'), join(folder, 'Basics.lean'));
    return folder;
}

/** Machine settings: the REPL stand-in in Lean's place, logging what reached "Lean". */
function machineSettings(instance, extra = {}) {
    const quote = word => `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const script = join(here, 'Basics.e2e.standin.json');
    return {
        'leanAssist.repl.command': [standIn, 'scripted', '--script', script, '--log', join(work, instance, 'standin.log')].map(quote).join(' '),
        ...extra,
    };
}

/** code-server's environment: the test's, without anything that would pick another server or cache. */
function environment(instance, changes = {}) {
    const result = { ...process.env };
    for (const name of Object.keys(result)) {
        if (name.startsWith('VSCODE_') || name === 'LEANASSIST_SERVER_PATH' || name === 'ELECTRON_RUN_AS_NODE') {
            delete result[name];
        }
    }
    result.LEANASSIST_CACHE_DIR = join(work, instance, 'cache');
    // VS Code's server would otherwise run the login shell (bash -ilc) to take its environment: that costs
    // seconds with a busy profile, and puts back what a scenario took out (no-dotnet's PATH). With
    // VSCODE_CLI=1 it skips that, and the extension host gets exactly this environment.
    result.VSCODE_CLI = '1';
    for (const [name, value] of Object.entries(changes)) {
        if (value === undefined) {
            delete result[name];
        } else {
            result[name] = value;
        }
    }
    return result;
}

async function startInstance(name, { trust, extensions, environmentChanges, extraMachineSettings }) {
    const codeServer = new CodeServer({
        tools,
        root: join(work, name, 'code-server'),
        userSettings: trust ? {} : { 'security.workspace.trust.enabled': false },
        machineSettings: machineSettings(name, extraMachineSettings),
        environment: environment(name, environmentChanges),
    });
    await codeServer.installExtensions(extensions);
    await codeServer.start();
    const browser = await launchBrowser(chromiumPath, join(work, name, 'chromium-profile'));
    const page = browser.pages()[0] ?? (await browser.newPage());
    const workbench = new Workbench(page, screenshots);
    return { codeServer, browser, workbench, folder: workspace(name) };
}

async function stopInstance(instance) {
    await instance?.browser.close().catch(() => {});
    await instance?.codeServer.stop().catch(() => {});
}

const healthy = status => status.icons.includes('codicon-check') && /^LeanAssist( · |$)/.test(status.text) && status.label.startsWith('LeanAssist working');
const verifiedEntry = entries => entries.find(entry => /^LeanAssist: `[^`]+` closes the goal \(\d+ ms\)$/.test(entry));
const wanted = name => only === undefined || only.has(name);

/** Lines of the file on disk. */
const diskLines = file => readFileSync(file, 'utf8').split('\n');

// ---------------------------------------------------------------------------------------------
// Instance "main": Restricted Mode first (a fresh user-data folder has trusted nothing), then the
// rest of what a person does in one window.
let main;
const mainScenarios = ['restricted-mode', 'healthy-status', 'quick-fix-menu', 'hover', 'apply-quick-fix', 'metrics', 'stale-actions', 'restart', 'bad-server-path', 'server-exits-at-start'];
try {
    if (!wanted('main')) {
        throw new Error('skipped by LEANASSIST_E2E_INSTANCES');
    }
    main = await startInstance('main', { trust: true, extensions: [lean4Vsix, vsix] });
} catch (error) {
    for (const name of mainScenarios) {
        runner.notRun(name, 'main instance', error.message);
    }
}

if (main !== undefined) {
    const { workbench, folder, codeServer } = main;
    const page = workbench.page;
    const file = join(folder, 'Basics.lean');

    await runner.run('restricted-mode', 'Restricted Mode shows LeanAssist off; trusting the folder starts it without a reload', workbench, async ({ shot, details }) => {
        await workbench.open(codeServer.folderUrl(folder));
        await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ timeout: 30_000 });
        await workbench.openFileFromExplorer('Basics.lean');
        const off = await workbench.waitForStatus('LeanAssist off', status => status.text === 'LeanAssist off' && status.icons.includes('codicon-shield'));
        details.restricted = off;
        const tooltip = await workbench.statusTooltip('Restricted Mode');
        check(tooltip.includes('LeanAssist is off in Restricted Mode.') && tooltip.includes('Trust the workspace to turn it on.'), `unexpected tooltip: ${tooltip}`);
        await shot('status-off');
        await workbench.dismissHover();
        // A reload would lose this marker (and the status recorder).
        await page.evaluate(() => (window.__leanAssistNoReload = true));
        await workbench.statusItem().click(); // the item opens the trust dialog
        const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ });
        await trust.waitFor({ timeout: 15_000 });
        await shot('trust-dialog');
        await trust.click();
        await workbench.waitForStatus('healthy after trusting', healthy, 90_000);
        check(await page.evaluate(() => window.__leanAssistNoReload === true), 'the window reloaded when the folder was trusted');
        await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'hidden', timeout: 10_000 });
        const history = await workbench.statusHistory();
        details.statusHistory = history.map(entry => entry.text);
        check(history.some(entry => entry.text === 'LeanAssist off') && history.at(-1).icons.includes('codicon-check'), `status went ${JSON.stringify(details.statusHistory)}`);
        await page.locator('.workspace-trust-editor', { hasText: 'You trust this folder' }).waitFor({ timeout: 10_000 });
        await shot('trusted-healthy');
        // The trust editor opened as a modal editor over the file; close it to get back to the file.
        await workbench.runCommand('View: Close Editor');
        await page.locator('.workspace-trust-editor').waitFor({ state: 'hidden', timeout: 10_000 });
    });

    await runner.run('healthy-status', 'Opening a .lean file gives a healthy status item and tooltip', workbench, async ({ shot, details }) => {
        await workbench.openFileFromExplorer('Basics.lean');
        // Healthy with a finished run: "✓ LeanAssist · warm/total · last run · verdict-cache hit rate".
        const status = await workbench.waitForStatus('healthy with sessions and a last run', s => healthy(s) && /^LeanAssist · \d+\/\d+ · \d+(\.\d+)? (ms|s) · \d+%$/.test(s.text), 90_000);
        details.status = status;
        check(/^LeanAssist working\. \d+ of \d+ Lean sessions warm\.$/.test(status.label), `accessibility label: ${status.label}`);
        const tooltip = await workbench.statusTooltip('is working');
        details.tooltip = tooltip;
        for (const row of ['Lean sessions', 'Last run', 'Verdict cache', 'LLM', 'Spend today', 'Click for metrics.']) {
            check(tooltip.includes(row), `the tooltip has no "${row}": ${tooltip}`);
        }
        check(/Last run\s+\d+(\.\d+)? (ms|s) at \d\d:\d\d(:\d\d)?: \d+ tried, \d+ verified, \d+ solved/.test(tooltip), `the tooltip's last run: ${tooltip}`);
        check(/LLM\s+none \(built-in tactics only\)/.test(tooltip), `the tooltip's LLM row: ${tooltip}`);
        await shot('status-tooltip');
        await workbench.dismissHover();
    });

    let menu;
    await runner.run('quick-fix-menu', 'Ctrl+. at a sorry lists verified actions ("closes the goal", with the time)', workbench, async ({ shot, details }) => {
        await workbench.goTo(9, 3); // theorem add_zero_example: `  sorry`
        menu = await workbench.quickFixesUntil('a verified action', entries => verifiedEntry(entries) !== undefined);
        details.entries = menu.entries;
        await shot('menu');
        const verified = menu.entries.filter(entry => / closes the goal \(\d+ ms\)$/.test(entry));
        check(verified.length >= 2, `expected several verified actions, got ${JSON.stringify(menu.entries)}`);
        check(menu.entries[0] === verified[0], `the first entry is not a verified action: ${JSON.stringify(menu.entries)}`);
        // Every offered action is one Lean accepted: the stand-in's script closes only these on this goal.
        for (const entry of verified) {
            check(/`(rfl|trivial|simp|omega)`/.test(entry), `an action Lean did not accept was offered: ${entry}`);
        }
        await workbench.closeQuickFixes();
    });

    await runner.run('hover', "Hover on a sorry shows the candidate table with Lean's times, and a failed candidate's reason", workbench, async ({ shot, details }) => {
        await workbench.goTo(9, 3);
        const hover = await workbench.showHover('candidates verified by Lean');
        const text = await hover.innerText();
        details.hover = text;
        check(/\d+ of \d+ candidates verified by Lean/.test(text), `hover header: ${text}`);
        check(/rfl\s+✅ closes the goal\s+\d+ ms/.test(text), `no verified rfl row with Lean's time: ${text}`);
        check(/Lean \d+ ms over \d+ runs/.test(text), `no Lean total: ${text}`);
        const failed = hover.locator('tr', { hasText: 'grind' });
        await failed.scrollIntoViewIfNeeded();
        const row = await failed.innerText();
        details.failedRow = row;
        check(row.includes('❌ Lean error: <input>:1:1: unknown tactic'), `the failed candidate's row does not say Lean's reason: ${JSON.stringify(row)}`);
        await shot('hover-table');
        await page.keyboard.press('Escape');
    });

    await runner.run('apply-quick-fix', 'Applying the first verified action changes only that line', workbench, async ({ shot, details }) => {
        const before = diskLines(file);
        await workbench.goTo(9, 3);
        const fixes = await workbench.quickFixesUntil('a verified action', entries => verifiedEntry(entries) !== undefined);
        const first = fixes.entries[0];
        const tactic = /`([^`]+)`/.exec(first)[1];
        details.applied = first;
        await page.keyboard.press('Enter'); // the first entry is focused
        await workbench.codeActionMenu().waitFor({ state: 'hidden', timeout: 10_000 });
        await workbench.editorLines().filter({ hasText: new RegExp(`^\\s*${tactic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first().waitFor({ timeout: 10_000 });
        await shot('applied');
        await page.keyboard.press('Control+s');
        await page.locator('.tab.active.dirty').waitFor({ state: 'hidden', timeout: 10_000 });
        const after = diskLines(file);
        const changed = before.map((line, index) => (line === after[index] ? -1 : index)).filter(index => index >= 0);
        details.changedLines = changed.map(index => ({ line: index + 1, before: before[index], after: after[index] }));
        check(after.length === before.length, `the edit added or removed lines (${before.length} → ${after.length})`);
        check(changed.length === 1 && changed[0] === 8, `expected only line 9 to change, changed: ${JSON.stringify(details.changedLines)}`);
        check(after[8] === `  ${tactic}`, `line 9 is ${JSON.stringify(after[8])}, expected "  ${tactic}"`);
    });

    await runner.run('metrics', '"LeanAssist: Show Metrics" renders the view with its chart', workbench, async ({ shot, details }) => {
        await workbench.runCommand('LeanAssist: Show Metrics');
        // A webview: VS Code's outer iframe, and the content in its inner frame.
        const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe');
        await view.locator('h1', { hasText: 'LeanAssist metrics' }).waitFor({ timeout: 30_000 });
        const chart = view.locator('svg.runs[role="img"]');
        await chart.waitFor({ timeout: 10_000 });
        const bars = await chart.locator('rect').count();
        details.bars = bars;
        details.ariaLabel = await chart.getAttribute('aria-label');
        check(bars >= 1, 'the chart has no bars');
        const body = await view.locator('body').innerText();
        details.headings = await view.locator('h2').allInnerTexts();
        check(/Taken at \d\d:\d\d:\d\d\. Server working\./.test(body), `metrics subtitle: ${body.slice(0, 300)}`);
        await shot('metrics-view');
        await workbench.runCommand('View: Close Editor');
        await page.locator('.tab', { hasText: 'LeanAssist Metrics' }).waitFor({ state: 'hidden', timeout: 10_000 });
        await workbench.openFileFromExplorer('Basics.lean');
    });

    await runner.run('stale-actions', 'Typing makes stale actions disappear (an action never applies to changed text)', workbench, async ({ shot, details }) => {
        await workbench.goTo(12, 3); // theorem and_swap: `  sorry`
        const fresh = await workbench.quickFixesUntil('a verified action', entries => verifiedEntry(entries) !== undefined);
        details.before = fresh.entries;
        await shot('before-typing');
        await workbench.closeQuickFixes();
        // Change the statement `q ∧ p` to `q ∧ q`: no tactic verified for the old goal proves the new one.
        await workbench.goTo(11, 1);
        await page.keyboard.press('End');
        for (let i = 0; i < ' := by'.length; i++) {
            await page.keyboard.press('ArrowLeft');
        }
        await page.keyboard.press('Backspace');
        await page.keyboard.type('q');
        await workbench.editorLines().filter({ hasText: '(h : p ∧ q) : q ∧ q := by' }).waitFor({ timeout: 10_000 });
        await shot('typed');
        await workbench.goTo(12, 3);
        const seen = [];
        const settled = await workbench.quickFixesUntil("the changed text's answer (no pending suggestion)", entries => {
            seen.push(entries);
            const stale = entries.filter(entry => fresh.entries.includes(entry) && / closes the goal /.test(entry));
            if (stale.length > 0) {
                throw new Error(`a stale action is offered for the changed text: ${JSON.stringify(stale)}`);
            }
            return !entries.some(entry => entry.includes('suggest tactics'));
        });
        details.after = settled.entries;
        details.menusSeen = seen;
        check(verifiedEntry(settled.entries) === undefined, `a "closes the goal" action is offered for a goal nothing closes: ${JSON.stringify(settled.entries)}`);
        await shot('after-typing');
        await workbench.closeQuickFixes();
    });

    await runner.run('restart', '"LeanAssist: Restart Server" goes through starting back to healthy', workbench, async ({ shot, details }) => {
        const from = (await workbench.statusHistory()).length;
        await workbench.runCommand('LeanAssist: Restart Server');
        await workbench.waitForStatus('starting', status => status.icons.includes('codicon-loading'), 30_000).catch(() => {});
        await workbench.waitForStatus('healthy after the restart', healthy, 90_000);
        const history = (await workbench.statusHistory()).slice(from);
        details.statusHistory = history.map(entry => `${entry.icons.join(' ')} ${entry.text} | ${entry.label}`);
        check(history.some(entry => entry.icons.includes('codicon-loading') && entry.label === 'LeanAssist is starting'), `the status never showed starting: ${JSON.stringify(details.statusHistory)}`);
        // The restarted server answers: a verified action at another sorry.
        await workbench.goTo(15, 3); // theorem lt_succ_example
        const fixes = await workbench.quickFixesUntil('a verified action from the restarted server', entries => verifiedEntry(entries) !== undefined);
        details.entries = fixes.entries;
        await shot('restarted');
        await workbench.closeQuickFixes();
    });

    await runner.run('bad-server-path', 'A server that cannot start (bad leanAssist.server.path) shows one clear error', workbench, async ({ shot, details }) => {
        const badPath = join(work, 'main', 'no-such-server', 'leanassist.dll');
        codeServer.writeMachineSettings(machineSettings('main', { 'leanAssist.server.path': badPath }));
        const stopped = await workbench.waitForStatus('LeanAssist stopped', status => status.text === 'LeanAssist stopped', 60_000);
        details.status = stopped;
        const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /LeanAssist/ });
        await toast.first().waitFor({ timeout: 30_000 });
        const notifications = await workbench.notifications();
        details.notifications = notifications;
        const tooltip = await workbench.statusTooltip('LeanAssist stopped');
        details.tooltip = tooltip;
        await shot('stopped');
        await workbench.dismissHover();
        const errors = notifications.filter(n => n.severity.includes('error'));
        check(errors.length === 1, `expected one error notification, got ${JSON.stringify(notifications)}`);
        const [error] = errors;
        const stackFrame = /\bat \S+ \(?[^\s)]+:\d+:\d+\)?/;
        check(!stackFrame.test(error.message) && !stackFrame.test(tooltip), `a stack trace is shown: ${error.message} / ${tooltip}`);
        check(error.message.includes('leanAssist.server.path') || error.message.includes(badPath), `the error does not say what to fix: ${error.message}`);
        check(error.buttons.includes('Show Output'), `the error offers no "Show Output": ${JSON.stringify(error.buttons)}`);
        check(error.buttons.includes('Restart Server'), `the error offers no "Restart Server": ${JSON.stringify(error.buttons)}`);
        // Fixing the setting brings it back.
        codeServer.writeMachineSettings(machineSettings('main'));
        await workbench.waitForStatus('healthy after fixing the setting', healthy, 90_000);
        await shot('fixed');
    });

    // The defect first seen in a real VS Code: a server process that starts and then dies before answering
    // initialize made the client restart a LanguageClient it had already disposed, and VS Code showed the raw
    // "Restarting server failed Error: Client got disposed and can't be restarted. at ..." stack trace.
    await runner.run('server-exits-at-start', 'A server that starts and exits before initialize shows one clear error, and no restart of a disposed client', workbench, async ({ shot, details }) => {
        await workbench.clearNotifications();
        const fake = join(work, 'main', 'exits-at-once', 'leanassist');
        mkdirSync(dirname(fake), { recursive: true });
        writeFileSync(fake, '#!/bin/sh\necho "fake server: exiting before initialize" >&2\nexit 3\n', { mode: 0o755 });
        codeServer.writeMachineSettings(machineSettings('main', { 'leanAssist.server.path': fake }));
        const stopped = await workbench.waitForStatus('LeanAssist stopped', status => status.text === 'LeanAssist stopped', 60_000);
        details.status = stopped;
        await page.locator('.notifications-toasts .notification-list-item', { hasText: /LeanAssist/ }).first().waitFor({ timeout: 30_000 });
        // What must not happen (a restart of the disposed client) would show a moment later; absence can only
        // be observed over a bounded time, so this one wait is fixed: 3 s, well over the library's restart delay.
        await page.waitForTimeout(3_000);
        const notifications = await workbench.notifications();
        details.notifications = notifications;
        await shot('stopped');
        const stackFrame = /\bat \S+ \(?[^\s)]+:\d+:\d+\)?/;
        check(notifications.every(n => !/disposed|Restarting server failed/i.test(n.message) && !stackFrame.test(n.message)), `a raw library error is shown: ${JSON.stringify(notifications)}`);
        const errors = notifications.filter(n => n.severity.includes('error') && /LeanAssist/.test(n.message + n.source));
        check(errors.length === 1, `expected one LeanAssist error notification, got ${JSON.stringify(notifications)}`);
        check(errors[0].buttons.includes('Show Output') && errors[0].buttons.includes('Restart Server'), `the error lacks Show Output / Restart Server: ${JSON.stringify(errors[0].buttons)}`);
        codeServer.writeMachineSettings(machineSettings('main'));
        await workbench.runCommand('LeanAssist: Restart Server');
        await workbench.waitForStatus('healthy after fixing the setting', healthy, 90_000);
        await shot('fixed');
    });
}
await stopInstance(main);

// ---------------------------------------------------------------------------------------------
// Instance "measure": a fresh trusted window; time from opening the file to the first verified quick fix.
const measurement = {};
if (wanted('measure')) {
    const title = 'Measured: time from opening the file to the first verified quick fix';
    const measure = await startInstance('measure', { trust: false, extensions: [lean4Vsix, vsix] }).catch(error => runner.notRun('first-quick-fix', title, error.message));
    await (measure === undefined ? undefined : runner.run('first-quick-fix', title, measure.workbench, async ({ details }) => {
        const { workbench, codeServer, folder } = measure;
        await workbench.open(codeServer.folderUrl(folder));
        const opened = Date.now();
        await workbench.openFileFromExplorer('Basics.lean');
        // Ctrl+. before LeanAssist is active shows nothing at all (no extension offers code actions yet), so
        // a person waits for its status item, as this does; that wait is part of the measured time.
        await workbench.statusItem().waitFor({ timeout: 60_000 });
        const statusShown = (Date.now() - opened) / 1000;
        await workbench.goTo(9, 3);
        const fixes = await workbench.quickFixesUntil('a verified action', entries => verifiedEntry(entries) !== undefined, 120_000, 250);
        const seconds = (Date.now() - opened) / 1000;
        await workbench.screenshot('first-quick-fix', 'first-verified');
        Object.assign(measurement, {
            name: 'time from opening a .lean file to the first verified quick fix (VS Code 1.139.1 in code-server, REPL stand-in)',
            seconds,
            statusItemSeconds: statusShown,
            attempts: fixes.attempts,
            firstAction: verifiedEntry(fixes.entries),
            standInHeaderSeconds: 1.5,
            resolution: 'Ctrl+. retried at each status change, at least every 250 ms',
            measuredAt: new Date().toISOString(),
            command: 'dotnet test tests/LeanAssist.VsCode.EndToEnd.Tests',
        });
        Object.assign(details, measurement);
        console.log(`first verified quick fix ${seconds.toFixed(2)} s after opening the file (LeanAssist's status item after ${statusShown.toFixed(2)} s; ${fixes.attempts} Ctrl+. presses)`);
    }));
    await stopInstance(measure);
}

// ---------------------------------------------------------------------------------------------
// Instance "no-dotnet": PATH without any dotnet, DOTNET_ROOT unset; the VSIX for this platform.
if (wanted('no-dotnet')) {
    const title = "No dotnet on the extension host's PATH and no DOTNET_ROOT: LeanAssist still works";
    // Every PATH folder holding a dotnet goes (on Debian that is /usr/bin and /bin), and so do DOTNET_ROOT*.
    // (environment() keeps the login shell from putting /usr/bin back.)
    const changes = { PATH: (process.env.PATH ?? '').split(delimiter).filter(dir => dir && !existsSync(join(dir, 'dotnet'))).join(delimiter) };
    for (const name of Object.keys(process.env).filter(name => name.startsWith('DOTNET_ROOT'))) {
        changes[name] = undefined;
    }
    const chosen = platformVsix ?? vsix;
    const bare = await startInstance('no-dotnet', { trust: false, extensions: [lean4Vsix, chosen], environmentChanges: changes }).catch(error => runner.notRun('no-dotnet', title, error.message));
    await (bare === undefined ? undefined : runner.run('no-dotnet', title, bare.workbench, async ({ details }) => {
        details.vsix = chosen;
        details.selfContained = platformVsix !== undefined;
        const { workbench, codeServer, folder } = bare;
        check(!(codeServer.environment.PATH ?? '').split(delimiter).some(dir => existsSync(join(dir, 'dotnet'))), 'a dotnet is still on PATH');
        await workbench.open(codeServer.folderUrl(folder));
        await workbench.openFileFromExplorer('Basics.lean');
        await workbench.waitForStatus('healthy', healthy, 90_000);
        await workbench.goTo(9, 3);
        const fixes = await workbench.quickFixesUntil('a verified action', entries => verifiedEntry(entries) !== undefined, 90_000);
        details.entries = fixes.entries;
        await workbench.screenshot('no-dotnet', 'verified');
        const server = leanAssistServerProcess(codeServer.extensionsDir);
        details.server = server;
        check(server !== undefined, 'no LeanAssist server process runs from the installed extension');
        check(!(server.environmentPath ?? '').split(delimiter).some(dir => existsSync(join(dir, 'dotnet'))), `the server's PATH has a dotnet: ${server.environmentPath}`);
        if (platformVsix !== undefined) {
            check(server.executable.startsWith(codeServer.extensionsDir) && server.executable.endsWith('/dist/server/leanassist'),
                `the self-contained server should run as its own executable, runs as ${server.executable} ${server.arguments.join(' ')}`);
        } else {
            details.note = 'UNIVERSAL VSIX: no platform-specific VSIX was built, so the server runs with the .NET runtime the client found outside PATH';
        }
    }));
    await stopInstance(bare);
}

/** The LeanAssist server started from an extension installed under `extensionsDir`: /proc tells its executable and PATH. */
function leanAssistServerProcess(extensionsDir) {
    for (const pid of readdirSync('/proc').filter(entry => /^\d+$/.test(entry))) {
        try {
            const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
            if (!argv.includes('--clientProcessId') || !argv.some(arg => arg.startsWith(extensionsDir))) {
                continue;
            }
            const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
            return {
                pid: Number(pid),
                executable: readlinkSync(`/proc/${pid}/exe`),
                arguments: argv.slice(1),
                environmentPath: environ.find(entry => entry.startsWith('PATH='))?.slice(5),
                dotnetRoot: environ.find(entry => entry.startsWith('DOTNET_ROOT=')),
            };
        } catch {
            // the process ended while being read
        }
    }
    return undefined;
}

const durationSeconds = (Date.now() - runStarted) / 1000;
const results = { durationSeconds, screenshots, measurement, scenarios: runner.results.filter(result => !result.error?.includes('skipped by LEANASSIST_E2E_INSTANCES')) };
writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
if (measurement.seconds !== undefined) {
    writeFileSync(join(out, 'first-verified-quick-fix.json'), JSON.stringify({ ...measurement, e2eRunSeconds: durationSeconds }, null, 2));
}
console.log(`screenshots: ${screenshots}`);
console.log(`results: ${join(out, 'results.json')}`);
const failed = results.scenarios.filter(result => !result.passed);
console.log(`${results.scenarios.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
