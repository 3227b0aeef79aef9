// Number and text formatting shared by the status bar, the metrics view and command messages.

/** "12 ms", "3.4 s", "2 min 05 s". */
export function formatDuration(ms: number): string {
    if (!Number.isFinite(ms) || ms < 0) {
        return '–';
    }

    if (ms < 1000) {
        return `${Math.round(ms)} ms`;
    }

    if (ms < 60_000) {
        return `${(ms / 1000).toFixed(1)} s`;
    }

    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A 0..1 rate as "87%". */
export function formatPercent(rate: number): string {
    return `${Math.round(rate * 100)}%`;
}

/** "$0.12"; amounts under a cent but above zero as "<$0.01" (so a small spend never reads as none). */
export function formatUsd(amount: number): string {
    if (amount > 0 && amount < 0.01) {
        return '<$0.01';
    }

    return `$${amount.toFixed(2)}`;
}

/** The local time of day of an ISO timestamp, "14:03:27" (the text as given when it does not parse). */
export function formatTimeOfDay(iso: string): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
        return iso;
    }

    return [date.getHours(), date.getMinutes(), date.getSeconds()].map(part => String(part).padStart(2, '0')).join(':');
}

/** Makes server-provided text inert in Markdown (including table cells and theme icons). */
export function escapeMarkdown(text: string): string {
    return text.replace(/[\\`*_{}[\]()#+\-.!|<>$~]/g, character => `\\${character}`).replace(/\r?\n/g, ' ');
}

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`);
}
