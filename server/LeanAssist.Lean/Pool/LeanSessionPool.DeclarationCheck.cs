using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Verdicts;

namespace LeanAssist.Lean.Pool;

/// <summary>
/// The declaration check ("confirmation"): the second half of "solved". Kept apart from the scheduling code
/// of the pool; it is one more kind of job on the same queue and sessions.
/// </summary>
public sealed partial class LeanSessionPool
{
    public async Task<DeclarationCheck> CheckDeclarationAsync(LeanProofStateHandle target, string tactic, RequestPriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(tactic);
        SessionGroup? group;
        lock (_gate)
        {
            ThrowIfDisposed();
            _groups.TryGetValue(target.Group, out group);
        }

        if (group is null)
        {
            return NotChecked("The file of this target has not been loaded in this session pool.");
        }

        var declaration = target.Chain[target.DeclarationIndex];
        if (!group.Outcomes.TryGet(declaration.Fingerprint, out var outcome) || target.SorryIndex >= outcome.Sorries.Count
            || outcome.Sorries[target.SorryIndex].Pos is not { } sorryPosition)
        {
            return NotChecked("Lean's outcome for the declaration is no longer known; load the file again.");
        }

        string text;
        try
        {
            text = DeclarationVerdicts.WithTactic(declaration.SentText, new SourceText(declaration.SentText).GetOffset(sorryPosition), tactic);
        }
        catch (ArgumentException e)
        {
            return NotChecked(e.Message);
        }

        var otherSorries = outcome.Sorries.Count - 1;
        var job = new PoolJob<DeclarationCheck>(group, priority, cancellationToken,
            async (session, token) =>
            {
                var options = _options.CurrentValue;
                var counters = new LeanWorkCounters();
                var environment = await session.EnsureEnvironmentAsync(target.Chain, target.DeclarationIndex - 1, options, counters, token).ConfigureAwait(false);
                var exchange = await session.SendAsync(new ReplCommandRequest(text, environment), options.RequestTimeout, new LeanWorkCounters(), token).ConfigureAwait(false);
                return new DeclarationCheck(DeclarationVerdicts.Classify(exchange.Response, otherSorries), exchange.LeanTime);
            },
            session => session.CachedPrefixLength(target.Chain, target.DeclarationIndex - 1),
            failure => new DeclarationCheck(DeclarationVerdict.NotChecked(
                failure.Kind == ReplFailureKind.Timeout ? "Elaborating the declaration with it timed out: " + failure.Message : "Lean failed while elaborating the declaration with it: " + failure.Message,
                timedOut: failure.Kind == ReplFailureKind.Timeout), TimeSpan.Zero),
            reason => NotChecked(reason));
        Enqueue([job]);
        return await job.Completion.ConfigureAwait(false);
    }

    private static DeclarationCheck NotChecked(string reason) => new(DeclarationVerdict.NotChecked(reason), TimeSpan.Zero);
}
