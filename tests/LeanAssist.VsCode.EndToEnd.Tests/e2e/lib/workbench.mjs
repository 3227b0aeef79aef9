// What a person does in VS Code and what they see, through playwright-core driving Debian's Chromium.
// Every wait is for a specific UI state with a timeout; nothing sleeps and hopes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

/** LeanAssist's status bar item: `<publisher>.<name>.<item id>`, as VS Code names contributed items. */
export const StatusItemId = 'leanassist.leanassist.leanAssist.status';

/** Chromium without anything that reaches for the network by itself (the machine is offline but for loopback). */
export async function launchBrowser(executablePath, profileDir) {
    return chromium.launchPersistentContext(profileDir, {
        executablePath,
        headless: true,
        viewport: { width: 1400, height: 900 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
}

/** Numbers screenshots across instances, so that the folder lists them in the order they were taken. */
let screenshotCount = 0;

export class Workbench {
    /**
     * @param {import('playwright-core').Page} page
     * @param {string} screenshotDir
     */
    constructor(page, screenshotDir) {
        this.page = page;
        this.screenshotDir = screenshotDir;
        mkdirSync(screenshotDir, { recursive: true });
    }

    statusItem() {
        return this.page.locator(`[id="${StatusItemId}"]`);
    }

    async open(url) {
        await this.page.goto(url);
        await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
        await this.page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
        await this.recordStatusHistory();
    }

    /** A screenshot named after the scenario and step; returns its path. */
    async screenshot(scenario, step) {
        screenshotCount += 1;
        const file = join(this.screenshotDir, `${String(screenshotCount).padStart(2, '0')}-${scenario}-${step}.png`);
        await this.page.screenshot({ path: file });
        return file;
    }

    /**
     * Records every text and accessibility label the status item shows, in the page, so that a state that
     * lasts a few milliseconds (starting) is seen even if no poll would have caught it.
     */
    async recordStatusHistory() {
        await this.page.evaluate(id => {
            if (window.__leanAssistStatus) {
                return;
            }

            window.__leanAssistStatus = [];
            const record = () => {
                const item = document.getElementById(id);
                const label = item?.querySelector('[aria-label]')?.getAttribute('aria-label') ?? item?.getAttribute('aria-label') ?? null;
                const text = item?.textContent?.trim() ?? null;
                const icons = item ? [...item.querySelectorAll('.codicon')].map(icon => [...icon.classList].find(c => c.startsWith('codicon-') && c !== 'codicon-modifier-spin')) : [];
                const last = window.__leanAssistStatus.at(-1);
                if (item && (!last || last.label !== label || last.text !== text || last.icons.join() !== icons.join())) {
                    window.__leanAssistStatus.push({ time: Date.now(), label, text, icons });
                }
            };
            new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
            record();
        }, StatusItemId);
    }

    async statusHistory() {
        return this.page.evaluate(() => window.__leanAssistStatus ?? []);
    }

    /** What the status item shows now: its text, accessibility label and codicons. */
    async status() {
        const item = this.statusItem();
        await item.waitFor({ timeout: 60_000 });
        return item.evaluate(element => ({
            text: element.textContent.trim(),
            label: element.querySelector('[aria-label]')?.getAttribute('aria-label') ?? element.getAttribute('aria-label'),
            icons: [...element.querySelectorAll('.codicon')].map(icon => [...icon.classList].find(c => c.startsWith('codicon-') && c !== 'codicon-modifier-spin')),
        }));
    }

    /**
     * Waits until what the status item shows ({text, label, icons}) satisfies `predicate`: checks, then
     * waits for the item to change (the recorder sees every change), until `timeout`.
     */
    async waitForStatus(description, predicate, timeout = 60_000) {
        const deadline = Date.now() + timeout;
        let now;
        while (Date.now() < deadline) {
            const seen = (await this.statusHistory()).length;
            now = await this.status();
            if (predicate(now)) {
                return now;
            }

            await this.page
                .waitForFunction(count => (window.__leanAssistStatus ?? []).length > count, seen, { timeout: Math.max(1, deadline - Date.now()) })
                .catch(() => {});
        }

        throw new Error(`Timed out after ${timeout / 1000} s waiting for the status item to show ${description}; it shows ${JSON.stringify(now)}`);
    }

    /** Hovers the status item and returns the tooltip's text. */
    async statusTooltip(containing) {
        await this.page.mouse.move(10, 10);
        await this.statusItem().hover();
        const hover = this.page.locator('.workbench-hover', { hasText: containing });
        await hover.first().waitFor({ timeout: 15_000 });
        return hover.first().innerText();
    }

    async dismissHover() {
        await this.page.mouse.move(700, 450);
        await this.page.keyboard.press('Escape');
    }

    async openFileFromExplorer(name) {
        // A double click opens it pinned (not as a preview that the next editor replaces).
        await this.page.getByRole('treeitem', { name }).dblclick();
        await this.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
        await this.editorLines().first().waitFor({ timeout: 30_000 });
    }

    editorLines() {
        return this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    }

    async focusEditor() {
        await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').click({ position: { x: 5, y: 5 } });
    }

    /** Ctrl+G line:column, as a person moves the cursor to a place. */
    async goTo(line, column) {
        await this.focusEditor();
        await this.page.keyboard.press('Control+g');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 10_000 });
        await this.page.keyboard.type(`${line}:${column}`);
        await this.page.keyboard.press('Enter');
        await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
        await this.page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).waitFor({ timeout: 10_000 });
    }

    codeActionMenu() {
        return this.page.locator('.action-widget:not(.action-list-submenu-panel)');
    }

    /**
     * Ctrl+. and the menu's entries; the menu stays open. When VS Code finds no actions it shows a short
     * message instead of a menu: that is returned as [] (with `empty: true`). While a language server
     * starts, VS Code waits for its answer before showing either, hence the long timeout.
     */
    async openQuickFixes(timeout = 10_000) {
        await this.page.keyboard.press('Control+.');
        const menu = this.codeActionMenu();
        const none = this.page.locator('.monaco-editor .monaco-editor-overlaymessage', { hasText: /No code actions|No quick fixes/ });
        try {
            await menu.or(none).first().waitFor({ timeout });
        } catch {
            // Now and then (while the server is busy starting) VS Code shows nothing for a Ctrl+.: Escape
            // cancels what may still come, and the caller presses Ctrl+. again, as a person would.
            await this.page.keyboard.press('Escape');
            await menu.waitFor({ state: 'hidden', timeout: 5_000 });
            return { entries: [], empty: true, nothingShown: true };
        } finally {
            if (process.env.LEANASSIST_E2E_TRACE) {
                await this.screenshot('trace', 'ctrl-dot');
            }
        }

        if (await none.isVisible()) {
            return { entries: [], empty: true };
        }

        const entries = await menu.locator('.monaco-list-row.action').allInnerTexts();
        return { entries: entries.map(entry => entry.trim()), empty: false };
    }

    async closeQuickFixes() {
        const menu = this.codeActionMenu();
        const message = this.page.locator('.monaco-editor .monaco-editor-overlaymessage');
        if (await menu.isVisible()) {
            await this.page.keyboard.press('Escape');
            await menu.waitFor({ state: 'hidden', timeout: 10_000 });
        }

        if (await message.isVisible()) {
            // "No code actions available" stays until the cursor moves: one step right and back.
            await this.page.keyboard.press('ArrowRight');
            await this.page.keyboard.press('ArrowLeft');
            await message.waitFor({ state: 'hidden', timeout: 10_000 });
        }
    }

    /**
     * Opens the quick fixes again and again (as a person would press Ctrl+. while waiting) until `accept`
     * likes the entries; between tries it waits for the status item to change (the server reports when
     * work finishes), at most `pollMs`. Bounded by `timeout`.
     */
    async quickFixesUntil(description, accept, timeout = 60_000, pollMs = 400) {
        const deadline = Date.now() + timeout;
        let last;
        for (let attempt = 1; Date.now() < deadline; attempt++) {
            last = await this.openQuickFixes();
            if (process.env.LEANASSIST_E2E_TRACE) {
                console.log(`  Ctrl+. #${attempt} at ${new Date().toISOString()}: ${JSON.stringify(last.entries)}`);
            }
            if (accept(last.entries)) {
                return { ...last, attempts: attempt };
            }

            await this.closeQuickFixes();
            const before = (await this.statusHistory()).length;
            await this.page
                .waitForFunction(count => (window.__leanAssistStatus ?? []).length > count, before, { timeout: Math.min(pollMs, Math.max(1, deadline - Date.now())) })
                .catch(() => {});
        }

        throw new Error(`Timed out after ${timeout / 1000} s waiting for the quick fixes to show ${description}; the last menu showed ${JSON.stringify(last)}`);
    }

    /** "Show or Focus Hover" (Ctrl+K Ctrl+I) at the cursor; returns the hover's element. */
    async showHover(containing) {
        await this.page.keyboard.press('Control+k');
        await this.page.keyboard.press('Control+i');
        const hover = this.page.locator('.monaco-editor .monaco-hover:not(.hidden)', { hasText: containing });
        await hover.first().waitFor({ timeout: 15_000 });
        return hover.first();
    }

    /** F1, the command's title, Enter: the Command Palette, as a person runs a command. */
    async runCommand(title) {
        await this.page.keyboard.press('F1');
        await this.page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
        await this.page.keyboard.type(title);
        // The row whose label is exactly the title: Enter would take the first row, which the palette's
        // ranking may give to a similar command (LeanAssist: Restart Lean Sessions for "Restart Server").
        const row = this.page
            .locator('.quick-input-list .monaco-list-row')
            .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
            .first();
        await row.waitFor({ timeout: 15_000 });
        await row.click();
        await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    }

    /** Clears every notification (VS Code's own "Notifications: Clear All Notifications"), so a scenario sees only its own. */
    async clearNotifications() {
        await this.runCommand('Notifications: Clear All Notifications');
        await this.page.locator('.notifications-toasts .notification-list-item').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    }

    /** The visible notification toasts' messages (with their buttons). */
    async notifications() {
        return this.page.locator('.notifications-toasts .notification-list-item').evaluateAll(items =>
            items.map(item => ({
                message: item.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '',
                source: item.querySelector('.notification-list-item-source')?.textContent?.trim() ?? '',
                buttons: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map(button => button.textContent.trim()),
                severity: item.querySelector('.notification-list-item-icon')?.className ?? '',
            })),
        );
    }
}
