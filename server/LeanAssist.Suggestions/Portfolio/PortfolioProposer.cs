using System.Diagnostics;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Goals;

namespace LeanAssist.Suggestions.Portfolio;

/// <summary>
/// The built-in proposer (the default; no network, no cost): automation tactics chosen by the goal's shape.
/// Each rule that matches the goal scores some tactics; the highest scores come first. Scores only order the
/// candidates: every candidate is verified by Lean, so a rule that fires wrongly costs one cheap REPL call.
/// Mathlib and Aesop tactics are proposed only when the file's imports make them available.
/// </summary>
public sealed class PortfolioProposer(TimeProvider timeProvider) : ITacticProposer
{
    public const string ProposerName = "portfolio";

    public string Name => ProposerName;

    public ProposerKind Kind => ProposerKind.BuiltIn;

    public Task<Proposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var started = timeProvider.GetTimestamp();
        var candidates = Propose(request);
        var usage = new ProposalUsage { Latency = timeProvider.GetElapsedTime(started) };
        return Task.FromResult(new Proposal(Name, candidates, usage));
    }

    /// <summary>The ranked candidates for a request (synchronous: the portfolio does no I/O).</summary>
    public static IReadOnlyList<TacticCandidate> Propose(ProposalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var libraries = TacticLibrariesExtensions.FromImports(request.Imports);
        var scored = new ScoredTactics();
        if (LeanGoalParser.Parse(request.Goal) is { } goal)
        {
            AddRules(GoalShape.Of(goal), libraries, scored);
        }
        else
        {
            // Not a goal we can read (a stray message, an odd pretty-printer output): generic closers only.
            AddGeneric(libraries, scored, TargetForm.Other);
        }

        var list = new CandidateList(request.FailedAttempts);
        foreach (var tactic in scored.Ranked())
        {
            list.TryAdd(tactic, ProposerName);
        }

        return list.Take(Math.Max(1, request.MaxCandidates));
    }

    private static void AddRules(GoalShape shape, TacticLibraries libraries, ScoredTactics scored)
    {
        var mathlib = libraries.HasFlag(TacticLibraries.Mathlib);

        // A hypothesis that is the goal, or proves it from another hypothesis.
        foreach (var name in shape.HypothesesMatchingTarget)
        {
            scored.Add($"exact {name}", 100);
            scored.Add("assumption", 95);
        }

        foreach (var (implication, argument) in shape.ModusPonens)
        {
            scored.Add($"exact {implication} {argument}", 85);
        }

        foreach (var implication in shape.ImplicationsToTarget)
        {
            scored.Add($"apply {implication}", 60);
        }

        if (shape.HasContradictoryHypotheses)
        {
            scored.Add("contradiction", 90);
            scored.Add("simp_all", 60);
        }

        switch (shape.Form)
        {
            case TargetForm.True:
                scored.Add("trivial", 95);
                scored.Add("exact True.intro", 70);
                break;
            case TargetForm.False:
                scored.Add("contradiction", 55);
                scored.Add("simp_all", 45);
                break;
            case TargetForm.Equality or TargetForm.Iff when shape.SidesIdentical:
                scored.Add("rfl", 98);
                break;
            case TargetForm.Equality or TargetForm.Iff:
                scored.Add("rfl", shape.IsClosed ? 60 : 35);
                break;
            case TargetForm.And:
                scored.Add("constructor", 55);
                scored.Add("exact ⟨by assumption, by assumption⟩", 40);
                scored.Add("refine ⟨?_, ?_⟩", 30);
                break;
            case TargetForm.Or:
                scored.Add("left", 35);
                scored.Add("right", 34);
                break;
            case TargetForm.Exists:
                scored.Add("exact ⟨_, rfl⟩", 40);
                scored.Add("refine ⟨?_, ?_⟩", 30);
                break;
            case TargetForm.Implication or TargetForm.Not or TargetForm.Forall:
                var name = shape.IntroName ?? "h";
                scored.Add($"intro {name}", 55);
                scored.Add("intros", 25);
                if (shape.Form == TargetForm.Forall)
                {
                    scored.Add($"intro {name}\nsimp_all", 35);
                    scored.Add($"intro {name}\ninduction {name} <;> simp_all", 30);
                }

                break;
            case TargetForm.Data:
                scored.Add("assumption", 60);
                scored.Add("exact default", 50);
                if (shape.Head is "Nat" or "ℕ" or "Int" or "ℤ")
                {
                    scored.Add("exact 0", 55);
                }

                break;
        }

        if (shape.Form == TargetForm.Iff)
        {
            scored.Add("constructor", 50);
        }

        // Arithmetic: omega decides linear ℕ/ℤ arithmetic; decide evaluates closed decidable statements.
        var integral = (shape.Domain & (NumberDomain.Natural | NumberDomain.Integer)) != 0;
        var relation = shape.Form is TargetForm.Equality or TargetForm.Disequality or TargetForm.Order or TargetForm.Divisibility or TargetForm.False;
        if (integral && (relation || shape.HasArithmetic))
        {
            scored.Add("omega", shape.IsNonlinear ? 40 : 80);
        }

        if (shape.IsClosed && (shape.HasNumerals || shape.Form is TargetForm.Application))
        {
            scored.Add("decide", shape.HasArithmetic || relation ? 75 : 45);
            scored.Add("rfl", 50);
        }

        if (shape.HasContradictoryHypotheses is false && shape.Form == TargetForm.False && shape.HasArithmeticHypotheses)
        {
            scored.Add("omega", 70);
        }

        // Induction and case splits on variables of inductive types the target mentions.
        foreach (var (variable, type) in shape.InductionVariables.Take(2))
        {
            var isNat = type is "Nat" or "ℕ";
            scored.Add($"induction {variable} <;> simp_all", 40);
            if (isNat)
            {
                scored.Add($"induction {variable} <;> simp_all <;> omega", 38);
            }

            scored.Add($"cases {variable} <;> simp_all", 33);
            scored.Add($"induction {variable}", 20);
        }

        foreach (var hypothesis in shape.OrHypotheses.Take(2))
        {
            scored.Add($"rcases {hypothesis} with h | h <;> simp_all", 42);
            scored.Add($"cases {hypothesis}", 22);
        }

        foreach (var hypothesis in shape.AndHypotheses.Take(2))
        {
            scored.Add($"obtain ⟨h₁, h₂⟩ := {hypothesis}", 24);
        }

        foreach (var hypothesis in shape.ExistsHypotheses.Take(2))
        {
            scored.Add($"obtain ⟨w, hw⟩ := {hypothesis}", 30);
        }

        if (mathlib)
        {
            AddMathlib(shape, scored, integral, relation);
        }

        if (libraries.HasFlag(TacticLibraries.Aesop))
        {
            scored.Add("aesop", shape.IsPropositional ? 50 : 32);
        }

        AddGeneric(libraries, scored, shape.Form);
    }

    private static void AddMathlib(GoalShape shape, ScoredTactics scored, bool integral, bool relation)
    {
        var field = shape.Domain.HasFlag(NumberDomain.OrderedField);
        if (shape.IsPropositional)
        {
            scored.Add("tauto", 80);
        }

        if (shape.HasNumerals || shape.HasArithmetic || field)
        {
            scored.Add("norm_num", shape.IsClosed ? 82 : 50);
            if (shape.Goal.Target.Contains('!', StringComparison.Ordinal))
            {
                scored.Add("norm_num [Nat.factorial]", 78);
                scored.Add("simp [Nat.factorial]", 60);
            }
        }

        // linarith proves equalities too (as two inequalities), which pays off when hypotheses carry the arithmetic.
        if (relation && (field || integral) && (shape.Form != TargetForm.Equality || shape.HasArithmeticHypotheses)
            || shape.Form == TargetForm.False && shape.HasArithmeticHypotheses)
        {
            scored.Add("linarith", field ? 78 : 58);
            if (shape.IsNonlinear)
            {
                scored.Add("nlinarith [sq_nonneg _]", 45);
                scored.Add("nlinarith", 48);
            }
        }

        if (shape.Form == TargetForm.Equality && shape.HasArithmetic)
        {
            scored.Add("ring", field || shape.IsNonlinear ? 76 : 62);
            scored.Add("ring_nf", 36);
            if (field)
            {
                scored.Add("linarith", 52);
            }
        }

        var target = shape.Goal.Target.TrimStart();
        if (shape.Form is TargetForm.Order or TargetForm.Disequality
            && (target.StartsWith("0 <", StringComparison.Ordinal) || target.StartsWith("0 ≤", StringComparison.Ordinal) || target.EndsWith("≠ 0", StringComparison.Ordinal)))
        {
            scored.Add("positivity", 74);
        }

        if (shape.HasDivision && field)
        {
            scored.Add("field_simp", 56);
            scored.Add("field_simp\nring", 54);
        }

        if (relation && shape.HasArithmetic && !field && !integral)
        {
            scored.Add("linarith", 40);
        }
    }

    /// <summary>General-purpose closers that are worth one try on any goal.</summary>
    private static void AddGeneric(TacticLibraries libraries, ScoredTactics scored, TargetForm form)
    {
        var isProp = form != TargetForm.Data;
        scored.Add("simp", isProp ? 46 : 5);
        scored.Add("simp_all", isProp ? 43 : 5);
        scored.Add("assumption", 26);
        scored.Add("exact?", 24);
        scored.Add("trivial", 20);
        scored.Add("decide", 18);
        scored.Add("grind", isProp ? 28 : 4);
        scored.Add("rfl", 15);
        if (libraries.HasFlag(TacticLibraries.Aesop))
        {
            scored.Add("aesop", isProp ? 30 : 4);
        }

        if (libraries.HasFlag(TacticLibraries.Mathlib) && isProp)
        {
            scored.Add("norm_num", 22);
        }
    }

    /// <summary>Tactics with the best score any rule gave them; ties keep the order they were first added in.</summary>
    private sealed class ScoredTactics
    {
        private readonly Dictionary<string, (int Score, int Order)> _tactics = new(StringComparer.Ordinal);

        public void Add(string tactic, int score)
        {
            Debug.Assert(score > 0, "Scores are positive.");
            _tactics[tactic] = _tactics.TryGetValue(tactic, out var existing)
                ? (Math.Max(existing.Score, score), existing.Order)
                : (score, _tactics.Count);
        }

        public IEnumerable<string> Ranked() =>
            _tactics.OrderByDescending(t => t.Value.Score).ThenBy(t => t.Value.Order).Select(t => t.Key);
    }
}
