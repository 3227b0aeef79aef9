// LeanAssist's own LSP messages, mirrored from
// server/LeanAssist.Server/LanguageServer/LeanAssistProtocol.cs (the server owns the contract).
// Every custom method name, command name and payload shape the client uses is declared here and
// nowhere else. Change both files together. JSON is camelCase; properties the server leaves out
// when null are optional here.
import { NotificationType, RequestType0 } from 'vscode-jsonrpc';

/** Custom LSP methods (LeanAssistMethods). */
export const LeanAssistMethods = {
    /** Server → client notification: what the status bar shows. */
    status: 'leanAssist/status',
    /** Client → server request: the metrics snapshot. */
    metrics: 'leanAssist/metrics',
    /** Client → server notification: an API key from SecretStorage (kept in server memory only), or null to forget it. */
    setApiKey: 'leanAssist/setApiKey',
} as const;

/** Commands the server executes (LeanAssistCommands); vscode-languageclient registers them in VS Code. */
export const ServerCommands = {
    /** Arguments: [SuggestArguments]. Result: SuggestResult. Reports progress; cancellable. */
    suggest: 'leanAssist.suggest',
    /** Kills and restarts every Lean session. Result: null. */
    restartLean: 'leanAssist.restartLean',
    /** Clears the verdict and LLM caches and the learned tactic outcomes. Result: ClearCacheResult. */
    clearCache: 'leanAssist.clearCache',
    /** Result: MetricsSnapshot (the client renders it). */
    showMetrics: 'leanAssist.showMetrics',
    /** Arguments: [SuggestArguments] (at a sorry). Result: SearchProofResult. A multi-step proof search; reports progress; cancellable. */
    searchProof: 'leanAssist.searchProof',
} as const;

export type Health = 'ok' | 'degraded' | 'error';

/** The payload of `leanAssist/status`. */
export interface StatusParams {
    health: Health;
    healthReason?: string;
    sessions: SessionStatus;
    queueDepth: number;
    runningSuggestions: number;
    lastRun?: LastRunStatus;
    cache: CacheStatus;
    spend: SpendStatus;
    llm: LlmStatusView;
    sandbox?: SandboxStatusView;
    /** Where Lean checks candidates (absent from older servers). */
    verification?: VerificationStatusView;
}

/** The verification backend (server: VerificationStatusView in LeanAssistProtocol.cs; docs/remote.md). */
export interface VerificationStatusView {
    /** `local` or `kimina`. */
    backend: string;
    summary: string;
    healthyServers: number;
    totalServers: number;
    /** For Kimina: each server, "host:port healthy" or "host:port failing (last error)". */
    servers?: string;
}

export interface SessionStatus {
    warm: number;
    starting: number;
    busy: number;
    total: number;
    restarts: number;
}

export interface LastRunStatus {
    /** ISO 8601 timestamp. */
    finishedAt: string;
    durationMs: number;
    tried: number;
    verified: number;
    solved: number;
    fromCache: boolean;
}

/** Hit rates are 0..1, absent while nothing was looked up. */
export interface CacheStatus {
    verdictHitRate?: number;
    verdictHits: number;
    verdictLookups: number;
    llmHitRate?: number;
    llmHits: number;
    llmLookups: number;
}

export interface SpendStatus {
    todayUsd: number;
    dailyCapUsd?: number;
    capReached: boolean;
    capReason?: string;
}

/** Provider "none" means the built-in portfolio only. */
export interface LlmStatusView {
    provider: string;
    model?: string;
    available: boolean;
    reason?: string;
}

/** The REPL sandbox (`leanAssist.repl.sandbox`); `active` when REPL processes start inside it. */
export interface SandboxStatusView {
    mode: 'auto' | 'required' | 'off';
    active: boolean;
    summary: string;
}

/** The payload of `leanAssist/setApiKey`; `key: null` makes the server forget the key. */
export interface SetApiKeyParams {
    provider: string;
    key: string | null;
}

/** LSP position: zero-based line and UTF-16 character offset. */
export interface Position {
    line: number;
    character: number;
}

export interface Range {
    start: Position;
    end: Position;
}

/** The argument of `leanAssist.suggest`. */
export interface SuggestArguments {
    uri: string;
    position: Position;
    version?: number;
}

export interface SuggestResult {
    uri: string;
    version: number;
    target?: Range;
    goal?: string;
    suggestions: SuggestionView[];
    message?: string;
}

/** Verdict names as the server writes them. */
export type Verdict = 'solved' | 'progress' | 'failed' | 'rejected' | 'timeout' | 'unconfirmed';

export interface SuggestionView {
    tactic: string;
    /** A Verdict; typed as string so a verdict added on the server does not break the client. */
    verdict: string;
    remainingGoals: string[];
    leanMs: number;
    source: string;
    fromCache: boolean;
    /** Trusts the compiler (native_decide, decide +native, bv_decide, bv_check); the name predates all but native_decide. */
    usesNativeDecide: boolean;
    error?: string;
}

/** What a proof search found (`leanAssist.searchProof`); outcome is found, exhausted, budget or unavailable. */
export interface SearchProofResult {
    uri: string;
    version: number;
    target?: Range;
    outcome: string;
    script?: string;
    steps: SearchStepView[];
    nodesExplored: number;
    depth: number;
    seconds: number;
    leanRuns: number;
    costUsd: number;
    fromCache: boolean;
    message: string;
}

/** One step of a found proof: "solved" or "progress", and the goals it left in place of the one it ran on. */
export interface SearchStepView {
    tactic: string;
    verdict: string;
    goalsLeft: number;
    leanMs: number;
    source: string;
}

export interface ClearCacheResult {
    verdictEntriesRemoved: number;
    llmEntriesRemoved: number;
}

/** The payload of `leanAssist/metrics` and the result of `leanAssist.showMetrics`. */
export interface MetricsSnapshot {
    takenAt: string;
    counters: CounterValue[];
    histograms: HistogramValue[];
    recentRuns: RecentRun[];
    status: StatusParams;
}

/** One counter or gauge series (server: CounterValue in LeanAssistProtocol.cs). */
export interface CounterValue {
    name: string;
    attributes: Record<string, string>;
    value: number;
    /** `counter`: a total that only grows; `gauge`: a current value that may also go down. */
    kind: MetricKind;
}

export type MetricKind = 'counter' | 'gauge';

export interface HistogramValue {
    name: string;
    unit: string;
    attributes: Record<string, string>;
    count: number;
    sum: number;
    p50: number;
    p90: number;
    p99: number;
}

export interface RecentRun {
    finishedAt: string;
    durationMs: number;
    tried: number;
    verified: number;
    solved: number;
    leanMs: number;
    llmMs: number;
    cacheHits: number;
    costUsd: number;
}

/** Typed message objects for vscode-languageclient's sendNotification/sendRequest/onNotification. */
export const StatusNotification = new NotificationType<StatusParams>(LeanAssistMethods.status);
export const MetricsRequest = new RequestType0<MetricsSnapshot, void>(LeanAssistMethods.metrics);
export const SetApiKeyNotification = new NotificationType<SetApiKeyParams>(LeanAssistMethods.setApiKey);

/**
 * Metric names the metrics view looks for (server/LeanAssist.Lean/Telemetry/LeanAssistMeter.cs).
 * Durations are histograms in seconds.
 */
export const MetricNames = {
    llmOperationDuration: 'gen_ai.client.operation.duration',
    leanRequestDuration: 'leanassist.lean.request.duration',
    suggestDuration: 'leanassist.suggest.duration',
    codeActionDuration: 'leanassist.lsp.code_action.duration',
    cacheLookups: 'leanassist.cache.lookups',
} as const;

/** Attributes of MetricNames.cacheLookups. */
export const CacheLookupAttributes = {
    layer: 'leanassist.cache.layer',
    result: 'leanassist.cache.result',
} as const;
