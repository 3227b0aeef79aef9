/-!
# LeanAssist example

Goals left as `sorry`, for `leanassist prove`. Each `sorry` that LeanAssist reports as solved is one
where Lean accepted the tactic (`proofStatus: "Completed"`); `--write` puts those tactics in the file.
-/

theorem add_zero_example (n : Nat) : n + 0 = n := by
  sorry

theorem and_swap (p q : Prop) (h : p ∧ q) : q ∧ p := by
  sorry

theorem lt_succ_example (n : Nat) : n < n + 1 := by
  sorry

theorem length_append_example (xs ys : List Nat) : (xs ++ ys).length = xs.length + ys.length := by
  sorry

theorem imp_self_example (p : Prop) : p → p := by
  sorry

theorem needs_more_thought (f : Nat → Nat) (h : ∀ n, f (f n) = n) : ∀ n, f n = n := by
  sorry
