namespace LeanAssist.Suggestions.Verification;

/// <summary>One finished suggestion run, as the metrics view charts it.</summary>
public sealed record SuggestionRun(
    DateTimeOffset FinishedAt,
    TimeSpan Duration,
    int Tried,
    int Verified,
    int Solved,
    TimeSpan Lean,
    TimeSpan Llm,
    int CacheHits,
    decimal CostUsd,
    bool UsedLlm);

/// <summary>The most recent suggestion runs (a bounded ring), for telemetry.</summary>
public sealed class SuggestionRunLog
{
    public const int Kept = 100;

    private readonly Lock _gate = new();
    private readonly Queue<SuggestionRun> _runs = new();

    /// <summary>Raised after each run is added.</summary>
    public event Action<SuggestionRun>? Added;

    public IReadOnlyList<SuggestionRun> Recent
    {
        get
        {
            lock (_gate)
            {
                return _runs.ToArray();
            }
        }
    }

    public SuggestionRun? Last
    {
        get
        {
            lock (_gate)
            {
                return _runs.Count == 0 ? null : _runs.Last();
            }
        }
    }

    public void Add(SuggestionRun run)
    {
        lock (_gate)
        {
            _runs.Enqueue(run);
            while (_runs.Count > Kept)
            {
                _runs.Dequeue();
            }
        }

        Added?.Invoke(run);
    }
}
