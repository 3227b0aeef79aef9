namespace LeanAssist.Suggestions.Search;

/// <summary>A proof state in the search: the goals open there and the steps that led to it from the sorry.</summary>
/// <param name="Structured">Every step on the path worked on the first goal only, so the script can focus cases with `·`.</param>
internal sealed class SearchNode(int id, SearchNode? parent, IReadOnlyList<SearchStep> path, IReadOnlyList<string> goals, bool structured)
{
    public int Id { get; } = id;

    public SearchNode? Parent { get; } = parent;

    public IReadOnlyList<SearchStep> Path { get; } = path;

    public IReadOnlyList<string> Goals { get; } = goals;

    public bool Structured { get; } = structured;

    public int Depth => Path.Count;

    public IReadOnlyList<string> Tactics => Path.Select(s => s.Tactic).ToArray();
}

/// <summary>
/// The search tree's bookkeeping: the frontier ordered by score (fewer goals, shallower, steps that tend to
/// work), goal sets already reached (a step that reaches one again is merged into it: duplicates and loops),
/// and goals already proved somewhere in the tree with the steps that proved them. Used from one thread.
/// </summary>
internal sealed class SearchTree
{
    private const char GoalSeparator = '\u0001';

    private readonly PriorityQueue<SearchNode, (double Score, int Id)> _frontier = new();
    private readonly HashSet<string> _reached = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<SearchStep>> _proved = new(StringComparer.Ordinal);
    private int _nextId;

    public SearchTree(IReadOnlyList<string> rootGoals)
    {
        Root = new SearchNode(_nextId++, null, [], rootGoals, structured: true);
        _reached.Add(Key(rootGoals));
        _frontier.Enqueue(Root, (0, Root.Id));
    }

    public SearchNode Root { get; }

    public int FrontierCount => _frontier.Count;

    public int Merged { get; private set; }

    public int DeepestDepth { get; private set; }

    public bool TryTakeNext(out SearchNode node) => _frontier.TryDequeue(out node!, out _);

    /// <summary>Steps known to prove <paramref name="goal"/> (found elsewhere in the tree), if any.</summary>
    public IReadOnlyList<SearchStep>? ProofOf(string goal) => _proved.GetValueOrDefault(goal);

    /// <summary>Adds the state reached from <paramref name="parent"/> by <paramref name="steps"/>; null when its goal set was reached already.</summary>
    public SearchNode? Add(SearchNode parent, IReadOnlyList<SearchStep> steps, IReadOnlyList<string> goals, bool structured, double learnedSuccess)
    {
        // Every complete proof is kept: one whose declaration check fails must not hide another.
        if (goals.Count > 0 && !_reached.Add(Key(goals)))
        {
            Merged++;
            return null;
        }

        var child = new SearchNode(_nextId++, parent, [.. parent.Path, .. steps], goals, parent.Structured && structured);
        DeepestDepth = Math.Max(DeepestDepth, child.Depth);
        if (child.Structured)
        {
            RecordProvedGoals(child);
        }

        if (goals.Count > 0)
        {
            _frontier.Enqueue(child, (Score(child, learnedSuccess), child.Id));
        }

        return child;
    }

    /// <summary>Lower is better: open goals count most, then depth; a step that has often worked before gets a little ahead.</summary>
    internal static double Score(SearchNode node, double learnedSuccess) =>
        node.Goals.Count + (0.25 * node.Depth) - (0.5 * learnedSuccess) + (node.Structured ? 0 : 0.5);

    /// <summary>
    /// An ancestor whose goals, less its first, are exactly the child's: the steps between them proved that first goal
    /// (each step works on the first open goal, so the rest were untouched).
    /// </summary>
    private void RecordProvedGoals(SearchNode child)
    {
        for (var ancestor = child.Parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            if (ancestor.Goals.Count == child.Goals.Count + 1 && ancestor.Goals.Skip(1).SequenceEqual(child.Goals, StringComparer.Ordinal))
            {
                _proved.TryAdd(ancestor.Goals[0], child.Path.Skip(ancestor.Depth).ToArray());
            }
        }
    }

    private static string Key(IReadOnlyList<string> goals) => string.Join(GoalSeparator, goals);
}
