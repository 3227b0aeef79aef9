using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Learning;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace LeanAssist.Suggestions.Tests.Learning;

public sealed class TacticOutcomeLearningTests
{
    private static TacticOutcomeLearning Create(TemporaryDirectory directory) =>
        new(directory.Path, TimeProvider.System, NullLogger<TacticOutcomeLearning>.Instance);

    private static readonly GoalFeatures LinearNat = GoalFeatures.Of("x y : ℕ\nh : x ≤ y\n⊢ x + 1 ≤ y + 1");

    [Fact]
    public void The_in_memory_table_stays_bounded_and_what_was_dropped_is_read_back_from_disk()
    {
        using var directory = new TemporaryDirectory();
        using var learning = Create(directory);
        learning.Record("tactic0", LinearNat, LearnedOutcome.Solved, null);

        for (var i = 1; i <= TacticOutcomeLearning.MaxMemoryEntries + 10; i++)
        {
            learning.Get($"tactic{i}", LinearNat);
        }

        Assert.True(learning.MemoryEntries <= TacticOutcomeLearning.MaxMemoryEntries, $"{learning.MemoryEntries} entries in memory");
        Assert.Equal(1, learning.Get("tactic0", LinearNat).Solved);
    }

    [Fact]
    public void Goals_that_differ_only_in_names_share_features()
    {
        Assert.Equal(LinearNat, GoalFeatures.Of("a b : ℕ\nhab : a ≤ b\n⊢ a + 1 ≤ b + 1"));
        Assert.NotEqual(LinearNat, GoalFeatures.Of("p q : Prop\nhp : p\n⊢ p ∨ q"));
    }

    [Theory]
    [InlineData("simp only [h] at *", "simp")]
    [InlineData("exact? ", "exact?")]
    [InlineData("induction n with\n| zero => rfl", "induction")]
    [InlineData("  omega", "omega")]
    public void The_head_is_the_first_word(string tactic, string head)
    {
        Assert.Equal(head, TacticOutcomeLearning.Head(tactic));
    }

    [Fact]
    public void A_tactic_that_keeps_failing_on_similar_goals_is_skipped_until_it_helps()
    {
        using var directory = new TemporaryDirectory();
        using var learning = Create(directory);

        for (var i = 0; i < TacticOutcomeLearning.SkipAfterFailures - 1; i++)
        {
            learning.Record("decide", LinearNat, LearnedOutcome.Failed, "failed to synthesize Decidable");
        }

        Assert.False(learning.KeepsFailing("decide", LinearNat));
        learning.Record("decide", LinearNat, LearnedOutcome.Failed, "failed to synthesize Decidable");
        Assert.True(learning.KeepsFailing("decide", LinearNat));
        Assert.False(learning.KeepsFailing("decide", GoalFeatures.Of("⊢ True")));

        learning.Record("decide", LinearNat, LearnedOutcome.Solved, null);
        Assert.False(learning.KeepsFailing("decide", LinearNat));
    }

    [Fact]
    public void Order_puts_tactics_that_worked_first_and_removes_persistent_failures()
    {
        using var directory = new TemporaryDirectory();
        using var learning = Create(directory);
        for (var i = 0; i < 5; i++)
        {
            learning.Record("omega", LinearNat, LearnedOutcome.Solved, null);
            learning.Record("decide", LinearNat, LearnedOutcome.Failed, "x");
        }

        var candidates = new[] { new TacticCandidate("simp", "portfolio", 0), new TacticCandidate("decide", "portfolio", 1), new TacticCandidate("omega", "portfolio", 2) };
        var (kept, skipped) = learning.Order(candidates, LinearNat);

        Assert.Equal(["omega", "simp"], kept.Select(c => c.Tactic));
        Assert.Equal("decide", Assert.Single(skipped).Tactic);
    }

    [Fact]
    public void Experience_survives_a_restart()
    {
        using var directory = new TemporaryDirectory();
        using (var first = Create(directory))
        {
            first.Record("linarith", LinearNat, LearnedOutcome.Solved, null);
            first.Record("linarith", LinearNat, LearnedOutcome.Failed, "linarith failed to find a contradiction");
        }

        using var second = Create(directory);
        var statistics = second.Get("linarith [h]", LinearNat);

        Assert.Equal(1, statistics.Solved);
        Assert.Equal(1, statistics.Failed);
        Assert.Equal(1, statistics.Failures[FailureCategory.Other]);
    }

    [Theory]
    [InlineData("Unknown identifier `my_fake_premise`", FailureCategory.UnknownIdentifier)]
    [InlineData("type mismatch\n  h\nhas type", FailureCategory.TypeMismatch)]
    [InlineData("unsolved goals\nx : Int\n⊢ x > 0", FailureCategory.UnsolvedGoals)]
    [InlineData("simp made no progress", FailureCategory.NoProgress)]
    [InlineData("Incomplete: contains sorry", FailureCategory.Sorry)]
    [InlineData("Error: kernel type check failed", FailureCategory.Kernel)]
    [InlineData("Lean error:\n<input>:1:1: unknown tactic", FailureCategory.Syntax)]
    [InlineData("linarith failed", FailureCategory.Other)]
    public void Failures_are_categorized_from_Leans_message(string message, FailureCategory category)
    {
        Assert.Equal(category, TacticOutcomeLearning.Categorize(message));
    }

    [Fact]
    public void The_directory_is_the_one_set_when_learning_is_used_and_follows_changes()
    {
        using var directory = new TemporaryDirectory();
        var built = directory.Combine("at-construction");
        var delivered = directory.Combine("delivered-later");
        var moved = directory.Combine("moved");
        var options = new MutableOptionsMonitor<VerificationOptions>(new VerificationOptions { Learning = new LearningOptions { Directory = built } });
        using var learning = new TacticOutcomeLearning(options, TimeProvider.System, NullLogger<TacticOutcomeLearning>.Instance);

        // The editor's settings arrive after the service was built.
        options.Set(new VerificationOptions { Learning = new LearningOptions { Directory = delivered } });
        learning.Record("omega", LinearNat, LearnedOutcome.Solved, null);

        Assert.False(Directory.Exists(built), "the directory known at construction was used");
        Assert.True(File.Exists(Path.Combine(delivered, TacticOutcomeLearning.DiskFileName)));

        // Moved at runtime: the new folder's experience counts (none yet), and the old one is kept as it was.
        options.Set(new VerificationOptions { Learning = new LearningOptions { Directory = moved } });
        Assert.Equal(0, learning.Get("omega", LinearNat).Runs);
        learning.Record("omega", LinearNat, LearnedOutcome.Failed, "omega could not prove the goal");

        options.Set(new VerificationOptions { Learning = new LearningOptions { Directory = delivered } });
        var back = learning.Get("omega", LinearNat);
        Assert.Equal((1, 0), (back.Solved, back.Failed));
    }
}
