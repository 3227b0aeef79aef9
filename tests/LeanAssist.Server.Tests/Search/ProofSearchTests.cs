using LeanAssist.Lean.Sessions;
using LeanAssist.Suggestions.Search;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Server.Tests.Search;

/// <summary>
/// Best-first proof search end to end: the scripted REPL stand-in as Lean (tactics work on the main goal, as Lean's
/// do), the real portfolio, pool, caches and declaration check. Each declaration's goals are scripted so that only
/// the intended multi-step paths close them; any other tactic fails, as most automation does on the wrong goal.
/// </summary>
public sealed class ProofSearchTests
{
    internal const string Script = """
        {
          "headerSeconds": 0.05, "commandMs": 1, "tacticMs": 2,
          "goals": [
            { "declaration": "two_steps", "goals": ["p q : Prop\nhq : q\n⊢ p → q"] },
            { "declaration": "four_steps", "goals": ["p q : Prop\nhp : p\nhq : q\n⊢ True → p ∧ q"] },
            { "declaration": "loops", "goals": ["a : Nat\n⊢ Loop a"] },
            { "declaration": "slow_first", "goals": ["r : Prop\nhr : r\n⊢ Slow r"] },
            { "declaration": "decl_fails", "goals": ["s : Prop\nhs : s\n⊢ True → s"] },
            { "declaration": "no_proof", "goals": ["⊢ Hopeless"] }
          ],
          "tactics": [
            { "tactic": "intro h", "goalPattern": "hq : q\n⊢ p → q$", "result": "progress", "goals": ["p q : Prop\nhq : q\nh : p\n⊢ q"] },
            { "tactic": "intros", "goalPattern": "hq : q\n⊢ p → q$", "result": "progress", "goals": ["p q : Prop\nhq : q\na✝ : p\n⊢ DeadEnd"] },
            { "tactic": "exact hq", "goalPattern": "h : p\n⊢ q$", "result": "completed" },

            { "tactic": "intro h", "goalPattern": "⊢ True → p ∧ q$", "result": "progress", "goals": ["p q : Prop\nhp : p\nhq : q\nh : True\n⊢ p ∧ q"] },
            { "tactic": "constructor", "goalPattern": "h : True\n⊢ p ∧ q$", "result": "progress",
              "goals": ["case left\np q : Prop\nhp : p\nhq : q\nh : True\n⊢ p", "case right\np q : Prop\nhp : p\nhq : q\nh : True\n⊢ q"] },
            { "tactic": "exact hp", "goalPattern": "case left", "result": "completed" },
            { "tactic": "exact hq", "goalPattern": "case right", "result": "completed" },

            // loops: simp and simp_all both turn Loop a into Loop' a (a duplicate), simp there turns it back (a loop); trivial closes Loop' a.
            { "tactic": "simp", "goalPattern": "⊢ Loop a$", "result": "progress", "goals": ["a : Nat\n⊢ Loop' a"] },
            { "tactic": "simp_all", "goalPattern": "⊢ Loop a$", "result": "progress", "goals": ["a : Nat\n⊢ Loop' a"] },
            { "tactic": "simp", "goalPattern": "⊢ Loop' a$", "result": "progress", "goals": ["a : Nat\n⊢ Loop a"] },
            { "tactic": "trivial", "goalPattern": "⊢ Loop' a$", "result": "completed" },

            // slow_first: the step tried first times out; another path proves it.
            { "tactic": "simp", "goalPattern": "⊢ Slow r$", "result": "completed", "latencyMs": 8000 },
            { "tactic": "simp_all", "goalPattern": "⊢ Slow r$", "result": "progress", "goals": ["r : Prop\nhr : r\n⊢ r"] },
            { "tactic": "exact hr", "goalPattern": "hr : r\n⊢ r$", "result": "completed" },

            // decl_fails: both closers work in tactic mode, but the declaration with `exact hs` fails (termination and the like).
            { "tactic": "intro h", "goalPattern": "⊢ True → s$", "result": "progress", "goals": ["s : Prop\nhs : s\nh : True\n⊢ s"] },
            { "tactic": "exact hs", "goalPattern": "h : True\n⊢ s$", "result": "completed", "declarationError": "fail to show termination for\n  decl_fails" },
            { "tactic": "assumption", "goalPattern": "h : True\n⊢ s$", "result": "completed" }
          ],
          "defaultTactic": { "result": "error", "message": "tactic failed (stand-in: no rule)" }
        }
        """;

    internal const string File = """
        theorem two_steps (p q : Prop) (hq : q) : p → q := by
          sorry

        theorem four_steps (p q : Prop) (hp : p) (hq : q) : True → p ∧ q := by
          sorry

        theorem loops (a : Nat) : Loop a := by
          sorry

        theorem slow_first (r : Prop) (hr : r) : Slow r := by
          sorry

        theorem decl_fails (s : Prop) (hs : s) : True → s := by
          sorry

        theorem no_proof : Hopeless := by
          sorry

        """;

    private static IEnumerable<KeyValuePair<string, string?>> Settings(int sessions = 2, int requestTimeoutSeconds = 20) =>
    [
        new("LeanAssist:repl:sessions", sessions.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("LeanAssist:repl:requestTimeoutSeconds", requestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    internal static async Task<ProofSearchResult> SearchAsync(PipelineHost host, string declaration, SearchBudget? budget = null, bool useLlm = false,
        IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var path = host.Project.Combine("Search.lean");
        if (!System.IO.File.Exists(path))
        {
            host.WriteLeanFile("Search.lean", File);
        }

        var request = host.Request(path);
        var file = await host.Service.LoadAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        var target = file.Targets.Single(t => t.DeclarationName == declaration);
        return await host.Get<ProofSearchService>()
            .SearchAsync(new ProofSearchRequest(request, file, target, budget ?? new SearchBudget(MaxSeconds: 60), useLlm, RequestPriority.Interactive), progress, cancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(90));
    }

    private static string[] Commands(PipelineHost host) =>
        host.Log.Requests.Where(r => r.GetProperty("kind").GetString() == "command").Select(r => r.GetProperty("cmd").GetString()!).ToArray();

    private static int TacticRequests(PipelineHost host) => host.Log.Requests.Count(r => r.GetProperty("kind").GetString() == "tactic");

    [Fact]
    public async Task A_two_step_goal_is_proved_and_the_script_is_confirmed_on_the_declaration()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());

        var result = await SearchAsync(host, "two_steps");

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Equal("intro h\nexact hq", result.Script);
        Assert.Equal(["intro h", "exact hq"], result.Steps.Select(s => s.Tactic));
        Assert.Equal(["progress", "solved"], result.Steps.Select(s => s.Verdict));
        Assert.Contains("theorem two_steps (p q : Prop) (hq : q) : p → q := by\n  intro h\n  exact hq", Commands(host));
        Assert.True(result.NodesExplored >= 2);
        Assert.False(result.FromCache);
    }

    [Fact]
    public async Task A_case_split_is_focused_with_bullets_in_the_declarations_indentation()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());

        var result = await SearchAsync(host, "four_steps");

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Equal("intro h\nconstructor\n· exact hp\n· exact hq", result.Script);
        Assert.Equal(4, result.Depth);
        Assert.Equal([1, 2, 0, 0], result.Steps.Select(s => s.Produced.Count));
        // (The stand-in's log keeps the first 120 characters of a command.)
        Assert.Contains(Commands(host), c => c.StartsWith("theorem four_steps (p q : Prop) (hp : p) (hq : q) : True → p ∧ q := by\n  intro h\n  constructor\n  · exact hp\n  · exact h", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Duplicate_goal_sets_and_loops_are_merged_and_the_proof_is_still_found()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());

        var result = await SearchAsync(host, "loops");

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Equal(2, result.Steps.Count);
        Assert.Equal("trivial", result.Steps[1].Tactic);

        // simp and simp_all reach the same goal set at the root; simp there goes back to the root's goals (a loop).
        Assert.True(result.NodesMerged >= 2, $"merged {result.NodesMerged}");
    }

    [Fact]
    public async Task A_step_that_times_out_costs_a_session_but_not_the_search()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings(requestTimeoutSeconds: 2));

        var result = await SearchAsync(host, "slow_first");

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Equal("simp_all\nexact hr", result.Script);
    }

    [Fact]
    public async Task A_script_whose_declaration_fails_is_not_offered_and_the_search_goes_on()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());

        var result = await SearchAsync(host, "decl_fails");

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Equal("intro h\nassumption", result.Script);
        var rejected = Assert.Single(result.RejectedScripts);
        Assert.Equal("intro h\nexact hs", rejected.Script);
        Assert.StartsWith("the declaration fails with it: fail to show termination", rejected.Reason);
    }

    [Fact]
    public async Task Without_a_proof_the_search_says_it_tried_everything_within_the_depth()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());

        var result = await SearchAsync(host, "no_proof");

        Assert.Equal(ProofSearchOutcome.Exhausted, result.Outcome);
        Assert.Null(result.Script);
        Assert.Equal(1, result.NodesExplored);
        Assert.Contains("no proof within depth", result.StopReason);
    }

    [Fact]
    public async Task Budgets_on_nodes_and_depth_stop_the_search_and_say_which()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());

        var byNodes = await SearchAsync(host, "four_steps", new SearchBudget(MaxNodes: 2));
        Assert.Equal(ProofSearchOutcome.BudgetSpent, byNodes.Outcome);
        Assert.Equal(2, byNodes.NodesExplored);
        Assert.Contains("node budget (2)", byNodes.StopReason);

        var byDepth = await SearchAsync(host, "four_steps", new SearchBudget(MaxDepth: 3));
        Assert.Equal(ProofSearchOutcome.Exhausted, byDepth.Outcome);
        Assert.Contains("depth 3", byDepth.StopReason);
    }

    [Fact]
    public async Task The_time_budget_is_a_result_and_cancelling_is_an_exception()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings(requestTimeoutSeconds: 20));

        // slow_first's first batch waits on an 8 s step: a 1 s budget ends the search while Lean works.
        var timed = await SearchAsync(host, "slow_first", new SearchBudget(MaxSeconds: 1));
        Assert.Equal(ProofSearchOutcome.BudgetSpent, timed.Outcome);
        Assert.Contains("time budget", timed.StopReason);

        using var cancel = new CancellationTokenSource();
        var tacticsBefore = TacticRequests(host);
        var search = SearchAsync(host, "slow_first", new SearchBudget(MaxSeconds: 60), cancellationToken: cancel.Token);
        await Eventually.TrueAsync(() => TacticRequests(host) > tacticsBefore, TimeSpan.FromSeconds(30), "a tactic request of the second search");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search);
    }

    [Fact]
    public async Task A_second_search_of_the_same_declaration_asks_Lean_nothing()
    {
        var project = new TemporaryDirectory();
        try
        {
            await using (var host = PipelineHost.Start(Script, project, settings: Settings()))
            {
                Assert.Equal(ProofSearchOutcome.Found, (await SearchAsync(host, "four_steps")).Outcome);
            }

            // A restart on the same caches: the proof comes from the search cache.
            await using var again = PipelineHost.Start(Script, project, settings: Settings());
            var path = project.Combine("Search.lean");
            var request = again.Request(path);
            var file = await again.Service.LoadAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            var before = again.Log.Requests.Count;
            var result = await again.Get<ProofSearchService>().SearchAsync(
                new ProofSearchRequest(request, file, file.Targets.Single(t => t.DeclarationName == "four_steps"), SearchBudget.FromSettings, false, RequestPriority.Interactive),
                null, CancellationToken.None);

            Assert.Equal((ProofSearchOutcome.Found, true), (result.Outcome, result.FromCache));
            Assert.Equal("intro h\nconstructor\n· exact hp\n· exact hq", result.Script);
            Assert.Equal(4, result.Steps.Count);
            Assert.Equal(before, again.Log.Requests.Count);
        }
        finally
        {
            project.Dispose();
        }
    }

    [Fact]
    public async Task Progress_reports_nodes_explored_and_depth()
    {
        await using var host = PipelineHost.Start(Script, settings: Settings());
        var reports = new List<SearchProgress>();
        var progress = new SynchronousProgress<SearchProgress>(reports.Add);

        var result = await SearchAsync(host, "four_steps", progress: progress);

        Assert.Equal(ProofSearchOutcome.Found, result.Outcome);
        Assert.Contains(reports, r => r.NodesExplored >= 1);
        Assert.Contains(reports, r => r.Message.Contains("whole declaration", StringComparison.Ordinal) && r.BestDepth == 4);
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress{T} posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
