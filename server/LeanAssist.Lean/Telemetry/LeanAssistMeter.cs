using System.Diagnostics.Metrics;

namespace LeanAssist.Lean.Telemetry;

/// <summary>
/// The one meter every LeanAssist layer records on (a singleton per service container, made by
/// the container's <see cref="IMeterFactory"/>, so two servers in one process never mix their
/// numbers), and the names of its instruments (one place, so the metrics export and the dashboards
/// agree). Names follow the OpenTelemetry semantic conventions where one applies (<c>gen_ai.*</c>
/// for LLM calls); durations are in seconds. Attributes never carry file paths, goal text or secrets.
/// </summary>
public sealed class LeanAssistMeter
{
    public const string Name = "LeanAssist";

    public LeanAssistMeter(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(new MeterOptions(Name) { Version = "1.0" });
    }

    /// <summary>For code and tests outside a container.</summary>
    public LeanAssistMeter(Meter meter)
    {
        Meter = meter;
    }

    public Meter Meter { get; }

    public static class Instruments
    {
        // ---- LLM calls (OpenTelemetry GenAI client conventions) ----
        /// <summary>Histogram, seconds. Attributes: gen_ai.operation.name, gen_ai.provider.name, gen_ai.request.model, error.type.</summary>
        public const string GenAiOperationDuration = "gen_ai.client.operation.duration";

        /// <summary>Histogram, tokens. Attributes: gen_ai.token.type (input|output), gen_ai.provider.name, gen_ai.request.model.</summary>
        public const string GenAiTokenUsage = "gen_ai.client.token.usage";

        /// <summary>Counter, USD (LeanAssist's own). Attributes: gen_ai.provider.name, gen_ai.request.model.</summary>
        public const string LlmCost = "leanassist.llm.cost";

        // ---- Lean ----
        /// <summary>Histogram, seconds, one REPL request. Attributes: leanassist.lean.request (command|tactic|pickle), outcome.</summary>
        public const string LeanRequestDuration = "leanassist.lean.request.duration";

        /// <summary>Counter. Attributes: reason (crash|timeout|memory|recycle|restart).</summary>
        public const string LeanSessionRestarts = "leanassist.lean.session.restarts";

        /// <summary>Observable gauge, sessions. Attributes: state (warm|starting|busy).</summary>
        public const string LeanSessions = "leanassist.lean.sessions";

        /// <summary>Observable gauge, requests waiting for a Lean session.</summary>
        public const string LeanQueueDepth = "leanassist.lean.queue.depth";

        // ---- Caches ----
        /// <summary>Counter. Attributes: leanassist.cache.layer (verdict.memory|verdict.disk|llm.memory|llm.disk|env), leanassist.cache.result (hit|miss).</summary>
        public const string CacheLookups = "leanassist.cache.lookups";

        // ---- Suggestions ----
        /// <summary>Counter. Attributes: leanassist.verdict (solved|progress|failed|rejected|timeout), leanassist.candidate.source.</summary>
        public const string Candidates = "leanassist.candidates";

        /// <summary>Histogram, seconds, target to ranked suggestions.</summary>
        public const string SuggestDuration = "leanassist.suggest.duration";

        // ---- Editor ----
        /// <summary>Counter. Attributes: lsp.method.</summary>
        public const string LspRequests = "leanassist.lsp.requests";

        /// <summary>Histogram, seconds, time to answer textDocument/codeAction.</summary>
        public const string CodeActionDuration = "leanassist.lsp.code_action.duration";
    }
}
