namespace LeanAssist.Server.Doctor;

public enum DoctorStatus
{
    Ok,
    Warning,
    Missing,
    Error,
}

/// <summary>One thing <c>leanassist doctor</c> found, with the fix when something is missing.</summary>
public sealed record DoctorFinding(string Check, DoctorStatus Status, string Message, string? Fix = null);

/// <summary>What the doctor looks at.</summary>
public sealed record DoctorContext(string ProjectDirectory);

/// <summary>A check <c>leanassist doctor</c> runs; each is registered in ServiceRegistration.</summary>
public interface IDoctorCheck
{
    string Name { get; }

    Task<IReadOnlyList<DoctorFinding>> RunAsync(DoctorContext context, CancellationToken cancellationToken);
}
