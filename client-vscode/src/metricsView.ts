import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml, formatDuration, formatPercent, formatTimeOfDay, formatUsd } from './format';
import { CacheLookupAttributes, MetricNames, type CounterValue, type HistogramValue, type MetricsSnapshot, type RecentRun } from './protocol';

/** How many recent runs the chart shows (the newest on the right). */
export const ChartRunLimit = 40;

const LatencyLabels: Record<string, string> = {
    [MetricNames.codeActionDuration]: 'Code action (lightbulb)',
    [MetricNames.suggestDuration]: 'Suggestion, end to end',
    [MetricNames.leanRequestDuration]: 'Lean REPL request',
    [MetricNames.llmOperationDuration]: 'LLM call',
};

/**
 * The metrics view's HTML for one snapshot: recent runs as a bar chart, latency percentiles,
 * cache hit rates, spend, and every counter. Static HTML (no scripts), everything escaped; the
 * Content Security Policy allows only the one style block.
 */
export function renderMetricsHtml(snapshot: MetricsSnapshot, nonce: string): string {
    const { status } = snapshot;
    const health = status.health === 'ok' ? 'working' : `${status.health}: ${status.healthReason ?? 'no reason given'}`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>LeanAssist metrics</title>
<style nonce="${nonce}">${Styles}</style>
</head>
<body>
<h1>LeanAssist metrics</h1>
<p class="subtitle">Taken at ${escapeHtml(formatTimeOfDay(snapshot.takenAt))}. Server ${escapeHtml(health)}.</p>
<h2>Recent runs</h2>
${renderRunChart(snapshot.recentRuns)}
<h2>Latency</h2>
${renderLatency(snapshot.histograms)}
<h2>Caches</h2>
${renderCaches(snapshot)}
<h2>LLM and spend</h2>
${renderSpend(snapshot)}
<details>
<summary>All counters and gauges</summary>
${renderCounters(snapshot.counters)}
</details>
</body>
</html>`;
}

const Styles = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em 2em; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { text-align: left; padding: 0.2em 1em 0.2em 0; border-bottom: 1px solid var(--vscode-panel-border); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.subtitle, .empty, .legend { color: var(--vscode-descriptionForeground); }
svg.runs { width: 100%; max-width: 48em; height: 10em; }
svg.runs .solved { fill: var(--vscode-charts-green); }
svg.runs .verified { fill: var(--vscode-charts-blue); }
svg.runs .unverified { fill: var(--vscode-charts-orange); }
svg.runs .axis { stroke: var(--vscode-panel-border); }
svg.runs text { fill: var(--vscode-descriptionForeground); font-size: 6px; }
.swatch-solved { color: var(--vscode-charts-green); }
.swatch-verified { color: var(--vscode-charts-blue); }
.swatch-unverified { color: var(--vscode-charts-orange); }
`;

/** Bars of each run's duration, tallest run at full height; hovering a bar shows its details. */
export function renderRunChart(runs: RecentRun[]): string {
    if (runs.length === 0) {
        return '<p class="empty">No runs yet.</p>';
    }

    const shown = runs.slice(-ChartRunLimit);
    const width = 200;
    const height = 100;
    const top = 8;
    const slot = width / ChartRunLimit;
    const longest = Math.max(...shown.map(run => run.durationMs), 1);
    const bars = shown.map((run, index) => {
        const barHeight = Math.max((run.durationMs / longest) * (height - top), 0.5);
        const x = (index * slot + slot * 0.15).toFixed(2);
        const y = (height - barHeight).toFixed(2);
        const title =
            `${formatTimeOfDay(run.finishedAt)}: ${formatDuration(run.durationMs)}, ${run.tried} tried, ${run.verified} verified, ${run.solved} solved; ` +
            `Lean ${formatDuration(run.leanMs)}, LLM ${formatDuration(run.llmMs)}, ${run.cacheHits} cache hits, ${formatUsd(run.costUsd)}`;
        return `<rect class="${run.solved > 0 ? 'solved' : run.verified > 0 ? 'verified' : 'unverified'}" x="${x}" y="${y}" width="${(slot * 0.7).toFixed(2)}" height="${barHeight.toFixed(2)}"><title>${escapeHtml(title)}</title></rect>`;
    });
    return `<svg class="runs" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="Duration of the last ${shown.length} runs">
<line class="axis" x1="0" y1="${height}" x2="${width}" y2="${height}"/>
<text x="0" y="6">${escapeHtml(formatDuration(longest))}</text>
${bars.join('\n')}
</svg>
<p class="legend"><span class="swatch-solved">■</span> goal closed <span class="swatch-verified">■</span> verified step only <span class="swatch-unverified">■</span> none verified · last ${shown.length} of ${runs.length} runs</p>`;
}

function renderLatency(histograms: HistogramValue[]): string {
    const timed = histograms.filter(h => h.unit === 's' || h.unit === 'ms');
    const other = histograms.filter(h => !timed.includes(h));
    const known = Object.keys(LatencyLabels);
    timed.sort((a, b) => rank(known, a.name) - rank(known, b.name) || a.name.localeCompare(b.name));
    const scale = (h: HistogramValue) => (h.unit === 's' ? 1000 : 1);
    const latency =
        timed.length === 0
            ? '<p class="empty">No timings yet.</p>'
            : table(
                  ['What', 'Count', 'p50', 'p90', 'p99'],
                  timed.map(h => [
                      describeInstrument(LatencyLabels[h.name] ?? h.name, h.attributes),
                      String(h.count),
                      formatDuration(h.p50 * scale(h)),
                      formatDuration(h.p90 * scale(h)),
                      formatDuration(h.p99 * scale(h)),
                  ]),
                  [1, 2, 3, 4],
              );
    const distributions =
        other.length === 0
            ? ''
            : table(
                  ['Distribution', 'Count', 'p50', 'p90', 'p99'],
                  other.map(h => [describeInstrument(`${h.name} (${h.unit})`, h.attributes), String(h.count), formatNumber(h.p50), formatNumber(h.p90), formatNumber(h.p99)]),
                  [1, 2, 3, 4],
              );
    return latency + distributions;
}

function renderCaches(snapshot: MetricsSnapshot): string {
    const { cache } = snapshot.status;
    const rows: string[][] = [
        ['Verdicts (all layers)', rateOrDash(cache.verdictHitRate), String(cache.verdictHits), String(cache.verdictLookups - cache.verdictHits)],
        ['LLM answers (all layers)', rateOrDash(cache.llmHitRate), String(cache.llmHits), String(cache.llmLookups - cache.llmHits)],
    ];
    const byLayer = new Map<string, { hits: number; misses: number }>();
    for (const counter of snapshot.counters.filter(c => c.name === MetricNames.cacheLookups)) {
        const layer = counter.attributes[CacheLookupAttributes.layer] ?? 'unknown';
        const entry = byLayer.get(layer) ?? { hits: 0, misses: 0 };
        if (counter.attributes[CacheLookupAttributes.result] === 'hit') {
            entry.hits += counter.value;
        } else {
            entry.misses += counter.value;
        }

        byLayer.set(layer, entry);
    }

    for (const [layer, { hits, misses }] of [...byLayer].sort(([a], [b]) => a.localeCompare(b))) {
        rows.push([`Layer ${layer}`, rateOrDash(hits + misses === 0 ? undefined : hits / (hits + misses)), String(hits), String(misses)]);
    }

    return table(['Cache', 'Hit rate', 'Hits', 'Misses'], rows, [1, 2, 3]);
}

function renderSpend(snapshot: MetricsSnapshot): string {
    const { llm, spend } = snapshot.status;
    const provider = llm.provider === 'none' ? 'none (built-in tactics only)' : `${llm.provider}${llm.model ? ` ${llm.model}` : ''}`;
    const availability = llm.provider === 'none' ? '' : llm.available ? 'available' : `unavailable${llm.reason ? `: ${llm.reason}` : ''}`;
    const cap = spend.dailyCapUsd === undefined ? 'no cap' : formatUsd(spend.dailyCapUsd) + (spend.capReached ? ` (reached${spend.capReason ? `: ${spend.capReason}` : ''})` : '');
    return table(
        undefined,
        [
            ['Provider', provider + (availability ? `, ${availability}` : '')],
            ['Spent today', formatUsd(spend.todayUsd)],
            ['Daily cap', cap],
        ],
    );
}

function renderCounters(counters: CounterValue[]): string {
    if (counters.length === 0) {
        return '<p class="empty">No counters yet.</p>';
    }

    const sorted = [...counters].sort((a, b) => a.name.localeCompare(b.name));
    return table(['Name', 'Kind', 'Attributes', 'Value'], sorted.map(c => [c.name, c.kind, formatAttributes(c.attributes), formatNumber(c.value)]), [3]);
}

/** An HTML table; every cell is escaped. Columns listed in `numeric` are right-aligned. */
function table(headers: string[] | undefined, rows: string[][], numeric: number[] = []): string {
    const cellClass = (column: number) => (numeric.includes(column) ? ' class="number"' : '');
    const head = headers === undefined ? '' : `<thead><tr>${headers.map((h, i) => `<th${cellClass(i)}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
    const body = rows.map(row => `<tr>${row.map((cell, i) => `<td${cellClass(i)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
    return `<table>${head}<tbody>\n${body}\n</tbody></table>`;
}

function describeInstrument(label: string, attributes: Record<string, string>): string {
    const formatted = formatAttributes(attributes);
    return formatted ? `${label} (${formatted})` : label;
}

function formatAttributes(attributes: Record<string, string>): string {
    return Object.entries(attributes)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ');
}

function formatNumber(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function rateOrDash(rate: number | undefined): string {
    return rate === undefined ? '–' : formatPercent(rate);
}

function rank(order: string[], name: string): number {
    const index = order.indexOf(name);
    return index === -1 ? order.length : index;
}

/** Minimum time between two refreshes of an open metrics view driven by status notifications. */
export const MetricsRefreshIntervalMs = 2000;

/**
 * The metrics view: a webview panel, shown by `leanAssist.showMetrics` with the snapshot the
 * server returned, and refreshed (at most every two seconds) while it is visible and the
 * server reports status changes.
 */
export class MetricsPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private lastRefresh = 0;
    private refreshing = false;

    constructor(
        private readonly fetchMetrics: () => Promise<MetricsSnapshot>,
        private readonly now: () => number = Date.now,
    ) {}

    get isOpen(): boolean {
        return this.panel !== undefined;
    }

    show(snapshot: MetricsSnapshot): void {
        if (this.panel === undefined) {
            this.panel = vscode.window.createWebviewPanel('leanAssist.metrics', 'LeanAssist Metrics', vscode.ViewColumn.Beside, {
                enableScripts: false,
                localResourceRoots: [],
            });
            this.panel.onDidDispose(() => {
                this.panel = undefined;
            });
        } else {
            this.panel.reveal(undefined, true);
        }

        this.render(snapshot);
    }

    /** Called on every status notification. */
    async onStatusChanged(): Promise<void> {
        if (this.panel === undefined || !this.panel.visible || this.refreshing || this.now() - this.lastRefresh < MetricsRefreshIntervalMs) {
            return;
        }

        this.refreshing = true;
        try {
            this.render(await this.fetchMetrics());
        } catch {
            // The view keeps the last snapshot; the next status change tries again.
        } finally {
            this.refreshing = false;
        }
    }

    dispose(): void {
        this.panel?.dispose();
    }

    private render(snapshot: MetricsSnapshot): void {
        this.lastRefresh = this.now();
        if (this.panel !== undefined) {
            this.panel.webview.html = renderMetricsHtml(snapshot, randomBytes(16).toString('base64'));
        }
    }
}
