using LeanAssist.Suggestions.Remote;

namespace LeanAssist.Server.Prove;

/// <summary>How <c>prove --backend kimina</c> keeps every Kimina server busy.</summary>
public static class RemoteProve
{
    /// <summary>
    /// Files and targets in flight for the configured servers: each server takes
    /// <c>maxConcurrentRequests</c> batches at once, so twice that many targets per server are in flight
    /// (a target also spends time loading its file and choosing candidates); files overlap as ProveRunner schedules them.
    /// </summary>
    public static ProveRequest Request(IReadOnlyList<string> paths, string? project, bool write, bool useLlm, KiminaOptions kimina)
    {
        ArgumentNullException.ThrowIfNull(kimina);
        var servers = Math.Max(1, kimina.ServerUris().Count);
        return new ProveRequest(paths, project, write, useLlm, ProveRequest.ParallelismFor(servers * kimina.MaxConcurrentRequests));
    }
}
