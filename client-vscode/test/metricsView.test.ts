import './register-vscode-double';
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ChartRunLimit, MetricsPanel, MetricsRefreshIntervalMs, renderMetricsHtml, renderRunChart } from '../src/metricsView';
import type { RecentRun } from '../src/protocol';
import { sampleSnapshot, sampleStatus } from './fixtures';
import { testDouble } from './vscode-double';

function run(durationMs: number, verified: number, solved = 0): RecentRun {
    return { finishedAt: '2025-11-22T10:15:00Z', durationMs, tried: 8, verified, solved, leanMs: durationMs / 2, llmMs: 0, cacheHits: 0, costUsd: 0 };
}

describe('metrics HTML', () => {
    const html = renderMetricsHtml(sampleSnapshot(), 'NONCE');

    test('shows latency percentiles in milliseconds with readable names', () => {
        assert.match(html, /Code action \(lightbulb\)<\/td><td class="number">120<\/td><td class="number">1 ms<\/td><td class="number">3 ms<\/td><td class="number">8 ms<\/td>/);
        assert.match(html, /Lean REPL request \(leanassist\.lean\.request=tactic\)<\/td><td class="number">40<\/td><td class="number">50 ms<\/td><td class="number">120 ms<\/td><td class="number">1\.5 s<\/td>/);
    });

    test('keeps distributions that are not timings (tokens) apart, as plain numbers', () => {
        assert.match(html, /gen_ai\.client\.token\.usage \(\{token\}\) \(gen_ai\.token\.type=input\)<\/td><td class="number">3<\/td><td class="number">900<\/td>/);
    });

    test('shows cache hit rates overall and per layer', () => {
        assert.match(html, /Verdicts \(all layers\)<\/td><td class="number">87%<\/td><td class="number">87<\/td><td class="number">13<\/td>/);
        assert.match(html, /LLM answers \(all layers\)<\/td><td class="number">–<\/td>/);
        assert.match(html, /Layer verdict\.memory<\/td><td class="number">75%<\/td><td class="number">30<\/td><td class="number">10<\/td>/);
    });

    test('draws one bar per recent run, coloured by whether the goal was closed or a step verified', () => {
        assert.equal((html.match(/<rect /g) ?? []).length, 2);
        assert.match(html, /<rect class="solved"[^>]*><title>[^<]*200 ms, 8 tried, 2 verified, 1 solved/);
        assert.match(html, /<rect class="unverified"[^>]*><title>[^<]*800 ms, 8 tried, 0 verified, 0 solved/);
        const stepOnly = renderRunChart([run(300, 1, 0)]);
        assert.match(stepOnly, /<rect class="verified"/);
    });

    test('tells counters from gauges in the table of all series', () => {
        assert.match(html, /<td>leanassist\.lean\.sessions<\/td><td>gauge<\/td><td>state=warm<\/td><td class="number">2<\/td>/);
        assert.match(html, /<td>leanassist\.candidates<\/td><td>counter<\/td>/);
    });

    test('allows no scripts: the policy permits only the nonced style block', () => {
        assert.match(html, /content="default-src 'none'; style-src 'nonce-NONCE';"/);
        assert.match(html, /<style nonce="NONCE">/);
        assert.doesNotMatch(html, /<script/i);
    });

    test('escapes everything the server sends', () => {
        const hostile = renderMetricsHtml(
            sampleSnapshot({
                counters: [{ name: '<script>alert(1)</script>', attributes: { '"onload': '<img>' }, value: 1, kind: 'counter' }],
                status: sampleStatus({ health: 'degraded', healthReason: '<b>bold</b>' }),
            }),
            'N',
        );
        assert.doesNotMatch(hostile, /<script>|<img>|<b>/);
        assert.match(hostile, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
        assert.match(hostile, /degraded: &#60;b&#62;bold&#60;\/b&#62;/);
    });

    test('says so when there is nothing to show yet', () => {
        const empty = renderMetricsHtml(sampleSnapshot({ counters: [], histograms: [], recentRuns: [] }), 'N');
        assert.match(empty, /No runs yet\./);
        assert.match(empty, /No timings yet\./);
        assert.match(empty, /No counters yet\./);
    });
});

describe('run chart', () => {
    test('scales bars to the longest run shown', () => {
        const svg = renderRunChart([run(100, 1), run(400, 1)]);
        const heights = [...svg.matchAll(/height="([\d.]+)"><title>/g)].map(match => Number(match[1]));
        assert.equal(heights.length, 2);
        assert.ok(Math.abs(heights[1] / heights[0] - 4) < 0.01, `heights ${heights.join(', ')}`);
    });

    test(`shows only the last ${ChartRunLimit} runs`, () => {
        const runs = Array.from({ length: ChartRunLimit + 10 }, (_, i) => run(i + 1, 1));
        const svg = renderRunChart(runs);
        assert.equal((svg.match(/<rect /g) ?? []).length, ChartRunLimit);
        assert.match(svg, new RegExp(`last ${ChartRunLimit} of ${ChartRunLimit + 10} runs`));
        assert.doesNotMatch(svg, /: 1 ms,/, 'the oldest run is not drawn');
    });
});

describe('MetricsPanel', () => {
    beforeEach(() => testDouble.reset());

    test('opens one webview without scripts and reuses it', () => {
        const panel = new MetricsPanel(() => Promise.reject(new Error('not used')));
        panel.show(sampleSnapshot());
        panel.show(sampleSnapshot({ takenAt: '2025-11-22T11:00:00Z' }));
        assert.equal(testDouble.webviewPanels.length, 1);
        const [webview] = testDouble.webviewPanels;
        assert.deepEqual(webview.options, { enableScripts: false, localResourceRoots: [] });
        assert.equal(webview.revealed, 1);
        assert.match(webview.webview.html, /LeanAssist metrics/);
    });

    test('refreshes on status changes while open, at most every two seconds', async () => {
        let now = 10_000;
        let fetches = 0;
        const panel = new MetricsPanel(async () => {
            fetches++;
            return sampleSnapshot({ takenAt: `2025-11-22T12:00:0${fetches}Z` });
        }, () => now);

        await panel.onStatusChanged();
        assert.equal(fetches, 0, 'no panel, no fetch');

        panel.show(sampleSnapshot());
        await panel.onStatusChanged();
        assert.equal(fetches, 0, 'just rendered');

        now += MetricsRefreshIntervalMs;
        await panel.onStatusChanged();
        assert.equal(fetches, 1);

        testDouble.webviewPanels[0].visible = false;
        now += MetricsRefreshIntervalMs;
        await panel.onStatusChanged();
        assert.equal(fetches, 1, 'a hidden panel is not refreshed');

        testDouble.webviewPanels[0].dispose();
        assert.equal(panel.isOpen, false);
    });

    test('keeps the last snapshot when a refresh fails', async () => {
        let now = 0;
        const panel = new MetricsPanel(() => Promise.reject(new Error('server gone')), () => now);
        panel.show(sampleSnapshot());
        const before = testDouble.webviewPanels[0].webview.html;
        now += MetricsRefreshIntervalMs;
        await panel.onStatusChanged();
        assert.equal(testDouble.webviewPanels[0].webview.html, before);
    });
});
