using LeanAssist.Suggestions.Safety;

namespace LeanAssist.Suggestions.Tests.Safety;

public sealed class TacticSafetyPolicyTests
{
    public static TheoryData<string> Accepted => new()
    {
        "omega",
        "simp",
        "simp only [Nat.add_comm, h] at h' ⊢",
        "exact?",
        "intro h\nexact h.1",
        "constructor <;> simp_all",
        "induction n with\n| zero => rfl\n| succ k ih => simp [ih]",
        "exact h₀ 2",
        "rw [show (2:ℕ) = 1 + 1 from rfl]",
        "simp -- no #eval here, it is a comment",
        "/- run_tac, sorry, #eval in a /- nested -/ comment -/ decide",
        "exact \"run_tac IO.println\".length_pos",
        "exact '\"'",
        "exact r#\"sorry \" #eval\"#.length",
        "set_option maxHeartbeats 400000 in nlinarith [sq_nonneg (a - b)]",
        "set_option pp.all true in simp",
        "open Nat in simp [succ_le_iff]",
        "exact Decidable.decide_eq_true h",
        "apply sorry_lemma_name_is_just_a_prefix",
        "exact stopwatch_le h",
        "calc a = b := h\n  _ = c := h'",
        "exact ⟨λ x => x, fun y => y⟩",
        "norm_num [Nat.factorial]",
    };

    public static TheoryData<string, string> Rejected => new()
    {
        { "sorry", "`sorry`" },
        { "admit", "`admit`" },
        { "stop", "`stop`" },
        { "exact sorryAx _ false", "`sorryAx`" },
        { "run_tac Lean.Elab.Tactic.evalTactic", "`run_tac`" },
        { "#eval IO.println 1", "#eval" },
        { "simp; #exit", "#exit" },
        { "run_cmd Lean.logInfo \"x\"", "`run_cmd`" },
        { "elab \"t\" : tactic => pure ()", "`elab`" },
        { "macro \"t\" : tactic => `(tactic| rfl)", "`macro`" },
        { "syntax \"t\" : tactic", "`syntax`" },
        { "theorem x : True := trivial", "`theorem`" },
        { "def f := 1", "`def`" },
        { "open IO in run_tac pure ()", "IO" },
        { "exact (unsafe (fun _ => 1) ())", "`unsafe`" },
        { "attribute [local simp] foo in simp", "`attribute`" },
        { "exact IO.Process.exit 0", "IO" },
        { "exact System.FilePath.mk \"x\"", "IO" },
        { "set_option debug.skipKernelTC true in exact h", "debug.skipKernelTC" },
        { "set_option maxHeartbeats 0 in simp", "positive number" },
        { "native_decide", "native_decide" },
        { "decide +native", "native_decide" },
        { "exact Lean.ofReduceBool _ _ rfl", "ofReduceBool" },
        { "simp /- unterminated", "unterminated comment" },
        { "exact \"unterminated", "unterminated string" },
        { "simp /- -/ ; run_tac pure ()", "`run_tac`" },
        { "exact \"\\\"\" ; sorry", "`sorry`" },
        { "exact '\"' ; admit", "`admit`" },
        { "exact «sorry»", "`sorry`" },
        { "  ", "empty" },
        { "simp\u0000", "control characters" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepts_ordinary_tactics(string candidate)
    {
        var verdict = TacticSafetyPolicy.Check(candidate, allowNativeDecide: false);

        Assert.True(verdict.Accepted, verdict.Reason);
        Assert.False(verdict.UsesNativeDecide);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_what_can_run_code_change_the_environment_or_fake_a_proof(string candidate, string reasonPart)
    {
        var verdict = TacticSafetyPolicy.Check(candidate, allowNativeDecide: false);

        Assert.False(verdict.Accepted);
        Assert.Contains(reasonPart, verdict.Reason);
    }

    [Theory]
    [InlineData("native_decide")]
    [InlineData("decide +native")]
    [InlineData("decide (config := { native := true })")]
    public void Native_decide_is_accepted_only_when_allowed_and_then_flagged(string candidate)
    {
        var verdict = TacticSafetyPolicy.Check(candidate, allowNativeDecide: true);

        Assert.True(verdict.Accepted, verdict.Reason);
        Assert.True(verdict.UsesNativeDecide);
        Assert.False(TacticSafetyPolicy.Check(candidate, allowNativeDecide: false).Accepted);
    }

    [Fact]
    public void Overlong_candidates_are_rejected()
    {
        Assert.False(TacticSafetyPolicy.Check(new string('a', TacticSafetyPolicy.MaxCandidateLength + 1), false).Accepted);
    }
}
