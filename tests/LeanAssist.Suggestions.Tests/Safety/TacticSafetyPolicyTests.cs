using LeanAssist.Suggestions.Safety;

namespace LeanAssist.Suggestions.Tests.Safety;

public sealed class TacticSafetyPolicyTests
{
    public static TheoryData<string> Accepted => new()
    {
        "omega",
        "simp",
        "simp [Nat.add_comm]",
        "aesop (add unsafe 50% apply Nat.le_of_lt)",
        "aesop (add safe Nat.le_refl, unsafe 20% Nat.succ_le_of_lt)",
        "aesop (config := { maxRuleApplications := 50 }) (add unsafe apply Nat.le_trans)",
        "aesop? (add norm simp Nat.add_comm) (add unsafe 10% constructors Or)",
        "simp only [Nat.add_comm, h] at h' ⊢",
        "simp only [foo] at h ⊢",
        "norm_num",
        "decide",
        "decide +kernel",
        "bv_omega",
        "exact ⟨_, rfl⟩",
        "exact?",
        "intro h\nexact h.1",
        "constructor <;> simp_all",
        "induction n with\n| zero => rfl\n| succ k ih => simp [ih]",
        "intro h\ninduction h <;> simp_all",
        "exact h₀ 2",
        "rw [show (2:ℕ) = 1 + 1 from rfl]",
        "conv => lhs; rw [Nat.add_comm]",
        "simp -- no #eval here, it is a comment",
        "/- run_tac, sorry, #eval in a /- nested -/ comment -/ decide",
        "exact \"run_tac IO.println\".length_pos",
        "exact '\"'",
        "exact r#\"sorry \" #eval\"#.length",

        // Braces in strings: a plain literal's braces are harmless, and so is harmless code in an interpolation.
        "exact \"a{b}\".length",
        "exact \"}\".length",
        "exact (s!\"{n + 1} and {({ fst := 1, snd := 2 } : Nat × Nat).1}\").length",
        "exact s!\"\\{not code}\".length",
        "exact '{'",
        "set_option maxHeartbeats 400000 in nlinarith [sq_nonneg (a - b)]",
        "set_option pp.all true in simp",
        "set_option trace.Meta.Tactic.simp true in simp",
        "set_option linter.unusedVariables false in simp",
        "open Nat in simp [succ_le_iff]",
        "open scoped BigOperators in simp [Finset.sum_range_succ]",
        "exact Decidable.decide_eq_true h",
        "apply sorry_lemma_name_is_just_a_prefix",
        "exact stopwatch_le h",
        "exact do_lemma h",
        "exact unsafe_sounding_lemma h",
        "calc a = b := h\n  _ = c := h'",
        "exact ⟨λ x => x, fun y => y⟩",
        "norm_num [Nat.factorial]",
    };

    public static TheoryData<string, SafetyRule, string> Rejected => new()
    {
        // Not proofs.
        { "sorry", SafetyRule.NotAProof, "`sorry`" },
        { "admit", SafetyRule.NotAProof, "`admit`" },
        { "stop", SafetyRule.NotAProof, "`stop`" },
        { "exact sorryAx _ false", SafetyRule.NotAProof, "`sorryAx`" },
        { "simp /- -/ ; sorry", SafetyRule.NotAProof, "`sorry`" },
        { "exact \"\\\"\" ; sorry", SafetyRule.NotAProof, "`sorry`" },
        { "exact '\"' ; admit", SafetyRule.NotAProof, "`admit`" },
        { "exact «sorry»", SafetyRule.NotAProof, "`sorry`" },

        // Running code while Lean elaborates.
        { "run_tac Lean.Elab.Tactic.evalTactic", SafetyRule.RunsCode, "`run_tac`" },
        { "simp /- -/ ; run_tac pure ()", SafetyRule.RunsCode, "`run_tac`" },
        { "run_cmd Lean.logInfo \"x\"", SafetyRule.RunsCode, "`run_cmd`" },
        { "run_meta Lean.logInfo \"x\"", SafetyRule.RunsCode, "`run_meta`" },
        { "exact (by_elab pure (Lean.mkConst ``True.intro))", SafetyRule.RunsCode, "`by_elab`" },
        { "conv => run_conv pure ()", SafetyRule.RunsCode, "`run_conv`" },
        { "exact eval% (2 ^ 10 : Nat)", SafetyRule.RunsCode, "`eval%`" },
        { "exact (evalExpr Nat (Lean.mkConst ``Nat) e)", SafetyRule.RunsCode, "`evalExpr`" },
        { "exact (do let x ← pure 1; pure x : Id Nat)", SafetyRule.RunsCode, "`do`" },
        { "#eval IO.println 1", SafetyRule.Command, "`#eval`" },
        { "simp; #exit", SafetyRule.Command, "`#exit`" },

        // The {…} of an interpolated string is code (the holes the review found, and variations).
        { "exact (s!\"{(by run_tac pure () ; exact 0 : Nat)}\").length", SafetyRule.RunsCode, "`run_tac` (in the {…} of a string" },
        { "exact (toString m!\"{(by run_tac (do let _ ← IO.Process.output {cmd := \"sh\"}; pure ()); exact 0 : Nat)}\").length", SafetyRule.RunsCode, "`run_tac`" },
        { "exact (toString m!\"{(by run_tac (do let _ ← IO.Process.output {cmd := \\\"sh\\\"}; pure ()); exact 0 : Nat)}\").length", SafetyRule.Unreadable, "cannot be read safely" },
        { "exact (f! \"{(by run_tac pure (); exact 0 : Nat)}\").isEmpty", SafetyRule.RunsCode, "`run_tac`" },
        { "exact (throwError \"{(by run_tac pure (); exact 0 : Nat)}\" : Except String Nat)", SafetyRule.RunsCode, "`run_tac`" },
        { "exact s!\"a{s!\"b{(by sorry : Nat)}\"}\".length", SafetyRule.NotAProof, "`sorry`" },
        { "exact s!\"\\{ {(by sorry : Nat)}\".length", SafetyRule.NotAProof, "`sorry`" },
        { "exact s!\"{'}'} {(by sorry : Nat)}\".length", SafetyRule.NotAProof, "`sorry`" },
        { "exact s!\"{({ fst := 1, snd := 2 } : Nat × Nat).1 + (by run_tac pure (); exact 0 : Nat)}\".length", SafetyRule.RunsCode, "`run_tac`" },
        { "exact s!\"{(by simp : Nat)\"", SafetyRule.Unreadable, "unterminated" },
        { "exact s!\"{\"", SafetyRule.Unreadable, "unterminated" },

        // Syntax the lexer does not know may interpolate any string: every string is also read as interpolated...
        { "exact (throwErrorAt .missing \"{(by sorry : Nat)}\" : Lean.CoreM Nat)", SafetyRule.NotAProof, "`sorry` (in the {…} of a string" },
        { "exact \"{#eval 1}\".length", SafetyRule.Command, "`#eval`" },

        // ...code outside strings is still seen where that reading would swallow it into a nested string...
        { "exact (\"a{\" ++ (by run_tac pure (); exact \"\") ++ \"}\").length", SafetyRule.RunsCode, "`run_tac`" },

        // ...and a { that cannot start a complete interpolation is refused rather than guessed about.
        { "exact \"{\".length", SafetyRule.Unreadable, "does not start a complete interpolation" },

        // Declarations, syntax and other environment changes.
        { "elab \"t\" : tactic => pure ()", SafetyRule.ChangesEnvironment, "`elab`" },
        { "elab_rules : tactic | `(tactic| foo) => pure ()", SafetyRule.ChangesEnvironment, "`elab_rules`" },
        { "macro \"t\" : tactic => `(tactic| rfl)", SafetyRule.ChangesEnvironment, "`macro`" },
        { "syntax \"t\" : tactic", SafetyRule.ChangesEnvironment, "`syntax`" },
        { "notation3 \"∑'\" => tsum", SafetyRule.ChangesEnvironment, "`notation3`" },
        { "initialize pure ()", SafetyRule.ChangesEnvironment, "`initialize`" },
        { "builtin_initialize pure ()", SafetyRule.ChangesEnvironment, "`builtin_initialize`" },
        { "simproc_decl foo (Nat.succ _) := fun _ => pure .continue", SafetyRule.ChangesEnvironment, "`simproc_decl`" },
        { "theorem x : True := trivial", SafetyRule.ChangesEnvironment, "`theorem`" },
        { "def f := 1", SafetyRule.ChangesEnvironment, "`def`" },
        { "attribute [local simp] foo in simp", SafetyRule.ChangesEnvironment, "`attribute`" },
        { "dsimproc_decl foo (Nat.succ _) := fun _ => pure .continue", SafetyRule.ChangesEnvironment, "`dsimproc_decl`" },
        { "builtin_simproc foo (Nat.succ _) := fun _ => pure .continue", SafetyRule.ChangesEnvironment, "`builtin_simproc`" },
        { "builtin_dsimproc foo (Nat.succ _) := fun _ => pure .continue", SafetyRule.ChangesEnvironment, "`builtin_dsimproc`" },
        { "omit [Fintype α] in simp", SafetyRule.ChangesEnvironment, "`omit`" },
        { "include h in simp", SafetyRule.ChangesEnvironment, "`include`" },
        { "alias foo := Nat.add_comm", SafetyRule.ChangesEnvironment, "`alias`" },
        { "irreducible_def c : Nat := 1", SafetyRule.ChangesEnvironment, "`irreducible_def`" },
        { "add_decl_doc Nat.add_comm", SafetyRule.ChangesEnvironment, "`add_decl_doc`" },
        { "register_option foo : Bool := { defValue := true }", SafetyRule.ChangesEnvironment, "`register_option`" },
        { "register_builtin_option foo : Bool := { defValue := true }", SafetyRule.ChangesEnvironment, "`register_builtin_option`" },
        { "register_simp_attr my_simps", SafetyRule.ChangesEnvironment, "`register_simp_attr`" },
        { "register_label_attr my_label", SafetyRule.ChangesEnvironment, "`register_label_attr`" },
        { "initialize_simps_projections Equiv (toFun → apply)", SafetyRule.ChangesEnvironment, "`initialize_simps_projections`" },
        { "declare_config_elab elabFoo Foo", SafetyRule.ChangesEnvironment, "`declare_config_elab`" },
        { "declare_simp_like_tactic mySimp \"my_simp \" fun _ => _", SafetyRule.ChangesEnvironment, "`declare_simp_like_tactic`" },
        { "binder_predicate x \" > \" y:term => `($x > $y)", SafetyRule.ChangesEnvironment, "`binder_predicate`" },
        { "unif_hint (n : Nat) where n =?= 0 ⊢ n + 0 =?= 0", SafetyRule.ChangesEnvironment, "`unif_hint`" },
        { "compile_inductive% Nat", SafetyRule.ChangesEnvironment, "`compile_inductive`" },
        { "mk_iff_of_inductive_prop List.Chain foo", SafetyRule.ChangesEnvironment, "`mk_iff_of_inductive_prop`" },
        { "add_aesop_rules safe Nat.le_refl", SafetyRule.ChangesEnvironment, "`add_aesop_rules`" },
        { "declare_aesop_rule_sets [Mine]", SafetyRule.ChangesEnvironment, "`declare_aesop_rule_sets`" },
        { "lrat_proof foo \"p cnf 1 1\" \"1 0\"", SafetyRule.ChangesEnvironment, "`lrat_proof`" },
        { "grind_pattern foo => bar", SafetyRule.ChangesEnvironment, "`grind_pattern`" },
        { "@[extern \"c_fn\"] opaque f : Nat", SafetyRule.ChangesEnvironment, "attribute" },

        // Trusting the compiler: the axioms and functions behind it are never accepted...
        { "exact Lean.ofReduceBool _ _ rfl", SafetyRule.TrustsCompiler, "`Lean.ofReduceBool`" },
        { "exact ofReduceBool _ _ rfl", SafetyRule.TrustsCompiler, "`ofReduceBool`" },
        { "exact Lean.ofReduceNat _ _ rfl", SafetyRule.TrustsCompiler, "`Lean.ofReduceNat`" },
        { "exact Lean.trustCompiler", SafetyRule.TrustsCompiler, "`Lean.trustCompiler`" },
        { "exact Lean.reduceBool true", SafetyRule.TrustsCompiler, "`Lean.reduceBool`" },
        { "exact Lean.reduceNat 1", SafetyRule.TrustsCompiler, "`Lean.reduceNat`" },

        // ...and the tactics built on them only when allowed (not here).
        { "native_decide", SafetyRule.TrustsCompiler, "`native_decide`" },
        { "decide +native", SafetyRule.TrustsCompiler, "`decide +native`" },
        { "bv_decide", SafetyRule.TrustsCompiler, "`bv_decide`" },
        { "bv_decide?", SafetyRule.TrustsCompiler, "`bv_decide?`" },
        { "bv_check \"proof.lrat\"", SafetyRule.TrustsCompiler, "`bv_check`" },

        // Unsafe code.
        { "exact (unsafe (fun _ => 1) ())", SafetyRule.Unsafe, "`unsafe`" },
        { "simp (add unsafe 50% foo)", SafetyRule.Unsafe, "`unsafe`" },
        { "aesop (add unsafe (fun _ => 1))", SafetyRule.Unsafe, "`unsafe`" },
        { "aesop; exact (add unsafe 1)", SafetyRule.Unsafe, "`unsafe`" },
        { "aesop (add unsafe 50% tactic (by run_tac pure ()))", SafetyRule.RunsCode, "`run_tac`" },
        { "exact unsafeCast 0", SafetyRule.Unsafe, "`unsafeCast`" },
        { "exact (unsafeBaseIO (pure 0))", SafetyRule.Unsafe, "`unsafeBaseIO`" },
        { "exact f._unsafe_rec 0", SafetyRule.Unsafe, "`f._unsafe_rec`" },
        { "exact extern", SafetyRule.Unsafe, "`extern`" },
        { "exact ptrAddrUnsafe x", SafetyRule.Unsafe, "`ptrAddrUnsafe`" },
        { "exact implemented_by", SafetyRule.Unsafe, "`implemented_by`" },

        // IO and namespaces that would make IO or metaprogramming names unqualified.
        { "exact IO.Process.exit 0", SafetyRule.UsesIO, "`IO.Process.exit`" },
        { "exact (IO.FS.writeFile \"x\" \"y\")", SafetyRule.UsesIO, "`IO.FS.writeFile`" },
        { "exact System.FilePath.mk \"x\"", SafetyRule.UsesIO, "`System.FilePath.mk`" },
        { "open IO in run_tac pure ()", SafetyRule.OpensMetaNamespace, "`open IO`" },
        { "open System in exact FilePath.mk \"x\"", SafetyRule.OpensMetaNamespace, "`open System`" },
        { "open Lean Elab Tactic in exact h", SafetyRule.OpensMetaNamespace, "`open Lean`" },
        { "open scoped Qq in exact h", SafetyRule.OpensMetaNamespace, "`open Qq`" },
        { "open Mathlib.Tactic in ring", SafetyRule.OpensMetaNamespace, "`open Mathlib.Tactic`" },

        // The network and external programs.
        { "polyrith", SafetyRule.ExternalService, "`polyrith`" },
        { "polyrith only [h₁, h₂]", SafetyRule.ExternalService, "`polyrith`" },
        { "suggest_tactics", SafetyRule.ExternalService, "`suggest_tactics`" },
        { "search_proof", SafetyRule.ExternalService, "`search_proof`" },
        { "select_premises", SafetyRule.ExternalService, "`select_premises`" },
        { "llmstep \"\"", SafetyRule.ExternalService, "`llmstep`" },

        // Options: only display, tracing, linting and positive limits.
        { "set_option debug.skipKernelTC true in exact h", SafetyRule.Option, "debug.skipKernelTC" },
        { "set_option maxHeartbeats 0 in simp", SafetyRule.Option, "positive number" },
        { "set_option maxRecDepth 0 in simp", SafetyRule.Option, "positive number" },
        { "set_option trace.profiler.output \"/tmp/p.json\" in simp", SafetyRule.Option, "writes a file" },
        { "set_option Elab.async false in simp", SafetyRule.Option, "Elab.async" },

        // Text that cannot be read the way Lean reads it.
        { "simp /- unterminated", SafetyRule.Unreadable, "unterminated comment" },
        { "exact \"unterminated", SafetyRule.Unreadable, "unterminated string" },
        { "  ", SafetyRule.Unreadable, "empty" },
        { "simp\u0000", SafetyRule.Unreadable, "control characters" },
    };

    /// <summary>What each rule's reason must say, so a user reading "Not run: …" knows which rule fired.</summary>
    private static readonly Dictionary<SafetyRule, string> RuleWording = new()
    {
        [SafetyRule.Command] = "is a command",
        [SafetyRule.RunsCode] = "runs code",
        [SafetyRule.ChangesEnvironment] = "changes the environment",
        [SafetyRule.NotAProof] = "is not a proof",
        [SafetyRule.TrustsCompiler] = "trusts the compiler",
        [SafetyRule.Unsafe] = "unsafe",
        [SafetyRule.UsesIO] = "does IO",
        [SafetyRule.OpensMetaNamespace] = "opens a metaprogramming or IO namespace",
        [SafetyRule.ExternalService] = "network",
        [SafetyRule.Option] = "set_option",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepts_ordinary_tactics(string candidate)
    {
        var verdict = TacticSafetyPolicy.Check(candidate, allowCompilerTrust: false);

        Assert.True(verdict.Accepted, verdict.Reason);
        Assert.Null(verdict.Rule);
        Assert.False(verdict.TrustsCompiler);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_what_can_run_code_change_the_environment_or_fake_a_proof_and_says_which_rule(string candidate, SafetyRule rule, string reasonPart)
    {
        var verdict = TacticSafetyPolicy.Check(candidate, allowCompilerTrust: false);

        Assert.False(verdict.Accepted);
        Assert.Equal(rule, verdict.Rule);
        Assert.Contains(reasonPart, verdict.Reason, StringComparison.Ordinal);
        if (RuleWording.TryGetValue(rule, out var wording))
        {
            Assert.Contains(wording, verdict.Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("native_decide", "native_decide")]
    [InlineData("decide +native", "decide +native")]
    [InlineData("decide (config := { native := true })", "decide +native")]
    [InlineData("bv_decide", "bv_decide")]
    [InlineData("bv_decide?", "bv_decide?")]
    [InlineData("bv_check \"proof.lrat\"", "bv_check")]
    [InlineData("simp only [BitVec.add_comm]\nbv_decide", "bv_decide")]
    public void Compiler_trusting_tactics_are_accepted_only_when_allowed_and_then_flagged(string candidate, string named)
    {
        var allowed = TacticSafetyPolicy.Check(candidate, allowCompilerTrust: true);
        var refused = TacticSafetyPolicy.Check(candidate, allowCompilerTrust: false);

        Assert.True(allowed.Accepted, allowed.Reason);
        Assert.True(allowed.TrustsCompiler);
        Assert.False(refused.Accepted);
        Assert.Equal(SafetyRule.TrustsCompiler, refused.Rule);
        Assert.Contains($"`{named}`", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("leanAssist.allowNativeDecide", refused.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exact Lean.ofReduceBool _ _ rfl")]
    [InlineData("native_decide\nrun_tac pure ()")]
    [InlineData("exact (s!\"{(by native_decide : 1 = 1)} {(by sorry : Nat)}\").length")]
    public void Allowing_compiler_trust_allows_nothing_else(string candidate)
    {
        Assert.False(TacticSafetyPolicy.Check(candidate, allowCompilerTrust: true).Accepted);
    }

    [Fact]
    public void Overlong_candidates_are_rejected()
    {
        var verdict = TacticSafetyPolicy.Check(new string('a', TacticSafetyPolicy.MaxCandidateLength + 1), false);

        Assert.False(verdict.Accepted);
        Assert.Equal(SafetyRule.Unreadable, verdict.Rule);
    }
}
