namespace LeanAssist.Lean.Toolchain;

/// <summary>What the locator looks at: PATH, the home directory, ELAN_HOME. Tests pass their own.</summary>
public sealed record ToolchainSearchEnvironment(string? PathVariable, string? HomeDirectory, string? ElanHome, bool IsWindows)
{
    public static ToolchainSearchEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable("PATH"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Environment.GetEnvironmentVariable("ELAN_HOME"),
        OperatingSystem.IsWindows());
}

/// <summary>The Lean tools found (null when not found) and every place that was searched, for messages.</summary>
public sealed record LeanToolchain(string? Elan, string? Lake, string? Lean, IReadOnlyList<string> SearchedDirectories)
{
    public bool HasLake => Lake is not null;
}

/// <summary>Finds <c>elan</c>, <c>lake</c> and <c>lean</c>: a setting first, then ELAN_HOME/bin, PATH, ~/.elan/bin.</summary>
public sealed class LeanToolchainLocator(ToolchainSearchEnvironment environment)
{
    public LeanToolchainLocator()
        : this(ToolchainSearchEnvironment.FromProcess())
    {
    }

    /// <summary>Where it looks (the sandbox makes the same places readable).</summary>
    public ToolchainSearchEnvironment SearchEnvironment => environment;

    public LeanToolchain Locate(ToolchainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directories = SearchDirectories();
        return new LeanToolchain(
            Find("elan", options.ElanPath, directories),
            Find("lake", options.LakePath, directories),
            Find("lean", options.LeanPath, directories),
            directories);
    }

    /// <summary>Lake alone, as <see cref="Locate"/> finds it: launching the REPL needs nothing else, and this runs on every file load.</summary>
    public string? LocateLake(ToolchainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Find("lake", options.LakePath, SearchDirectories());
    }

    public IReadOnlyList<string> SearchDirectories()
    {
        var directories = new List<string>();
        if (!string.IsNullOrWhiteSpace(environment.ElanHome))
        {
            directories.Add(Path.Combine(environment.ElanHome, "bin"));
        }

        if (!string.IsNullOrWhiteSpace(environment.PathVariable))
        {
            directories.AddRange(environment.PathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (!string.IsNullOrWhiteSpace(environment.HomeDirectory))
        {
            directories.Add(Path.Combine(environment.HomeDirectory, ".elan", "bin"));
        }

        return directories.Distinct(StringComparer.Ordinal).ToArray();
    }

    private string? Find(string tool, string? configured, IReadOnlyList<string> directories)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var path = Path.GetFullPath(Environment.ExpandEnvironmentVariables(configured));
            return File.Exists(path) ? path : null;
        }

        return ExternalCommand.FindIn(directories, tool, environment.IsWindows);
    }
}
