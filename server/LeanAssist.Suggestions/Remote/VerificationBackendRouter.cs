using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Remote;

/// <summary>
/// The pool the pipeline and the editor see: the local session pool or the Kimina backend, as
/// <c>leanAssist.verification.backend</c> says at each call (a settings change applies to the next request).
/// Targets loaded by one backend are run by the same one (a handle the other does not know is "unavailable").
/// </summary>
public sealed class VerificationBackendRouter : ILeanSessionPool
{
    private readonly ILeanSessionPool _local;
    private readonly KiminaVerificationBackend _kimina;
    private readonly IOptionsMonitor<RemoteVerificationOptions> _options;

    public VerificationBackendRouter(ILeanSessionPool local, KiminaVerificationBackend kimina, IOptionsMonitor<RemoteVerificationOptions> options)
    {
        _local = local;
        _kimina = kimina;
        _options = options;
        _local.SnapshotChanged += (_, snapshot) => Forward(VerificationBackend.Local, snapshot);
        _kimina.SnapshotChanged += (_, snapshot) => Forward(VerificationBackend.Kimina, snapshot);
    }

    public event EventHandler<LeanPoolSnapshot>? SnapshotChanged;

    public VerificationBackend Backend => _options.CurrentValue.Verification.Backend;

    /// <summary>For the status tooltip: "local Lean sessions" or "Kimina (2 of 3 servers healthy)".</summary>
    public string Describe() => Describe(Backend, _kimina.Servers);

    public static string Describe(VerificationBackend backend, IReadOnlyList<KiminaServerStatus> servers) => backend switch
    {
        VerificationBackend.Kimina => $"{KiminaVerificationBackend.BackendName} ({servers.Count(s => s.Healthy)} of {servers.Count} servers healthy)",
        _ => "local Lean sessions",
    };

    public KiminaVerificationBackend Kimina => _kimina;

    /// <summary>The local session pool behind <see cref="VerificationBackend.Local"/>.</summary>
    public ILeanSessionPool Local => _local;

    public LeanPoolSnapshot Snapshot => Active.Snapshot;

    private ILeanSessionPool Active => Backend == VerificationBackend.Kimina ? _kimina : _local;

    public Task<LeanFileTargets> LoadFileAsync(LeanFileRequest request, CancellationToken cancellationToken) => Active.LoadFileAsync(request, cancellationToken);

    public Task<IReadOnlyList<TacticRun>> RunTacticsAsync(LeanProofStateHandle target, IReadOnlyList<string> tactics, RequestPriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);

        // The handle says which backend made it.
        var owner = target.Group.ProjectRoot == KiminaVerificationBackend.RemoteGroupRoot ? _kimina : _local;
        return owner.RunTacticsAsync(target, tactics, priority, cancellationToken);
    }

    public Task<DeclarationCheck> CheckDeclarationAsync(LeanProofStateHandle target, string tactic, RequestPriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var owner = target.Group.ProjectRoot == KiminaVerificationBackend.RemoteGroupRoot ? _kimina : _local;
        return owner.CheckDeclarationAsync(target, tactic, priority, cancellationToken);
    }

    public Task WarmUpAsync(string? projectRoot, SourceText text, CancellationToken cancellationToken) => Active.WarmUpAsync(projectRoot, text, cancellationToken);

    public async Task RestartAllAsync(CancellationToken cancellationToken)
    {
        await _kimina.RestartAllAsync(cancellationToken).ConfigureAwait(false);
        if (Backend == VerificationBackend.Local)
        {
            await _local.RestartAllAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _kimina.DisposeAsync().ConfigureAwait(false);
        await _local.DisposeAsync().ConfigureAwait(false);
    }

    private void Forward(VerificationBackend source, LeanPoolSnapshot snapshot)
    {
        if (Backend == source)
        {
            SnapshotChanged?.Invoke(this, snapshot);
        }
    }
}
