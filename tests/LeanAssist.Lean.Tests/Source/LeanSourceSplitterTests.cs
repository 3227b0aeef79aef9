using LeanAssist.Lean.Source;

namespace LeanAssist.Lean.Tests.Source;

public sealed class LeanSourceSplitterTests
{
    [Fact]
    public void Header_is_the_imports_after_leading_comments_and_is_normalized_for_the_fingerprint()
    {
        var text = "/- Copyright (c) 2024 -/\n-- a comment\nimport Mathlib.Tactic   -- tactics\nimport  Mathlib.Data.Real.Basic\n\ntheorem t : True := trivial\n";

        var layout = LeanSourceSplitter.Split(text);

        Assert.Equal(["import Mathlib.Tactic", "import Mathlib.Data.Real.Basic"], layout.Header.Imports);
        Assert.Equal("import Mathlib.Tactic\nimport Mathlib.Data.Real.Basic", layout.Header.ImportsText);
        Assert.Equal("import Mathlib.Tactic   -- tactics\nimport  Mathlib.Data.Real.Basic", layout.Header.Text);
        var command = Assert.Single(layout.Commands);
        Assert.Equal("theorem t : True := trivial", command.Text);
        Assert.Equal(("t", LeanCommandKind.Declaration), (command.DeclarationName, command.Kind));
    }

    [Fact]
    public void A_file_without_imports_has_an_empty_header()
    {
        var layout = LeanSourceSplitter.Split("def f : Nat := 37\n\ntheorem h : f = 37 := rfl\n");

        Assert.True(layout.Header.IsEmpty);
        Assert.Equal(["def f : Nat := 37", "theorem h : f = 37 := rfl"], layout.Commands.Select(c => c.Text));
    }

    [Fact]
    public void Doc_comments_attributes_and_modifiers_belong_to_their_declaration()
    {
        var text = "import Lean\n\n/-- The answer. -/\n@[simp, reducible]\nprivate noncomputable def answer : Nat := 42\n\n@[simp] theorem answer_eq : answer = 42 := rfl\nprotected lemma foo.bar : True := trivial\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal(3, commands.Count);
        Assert.StartsWith("/-- The answer. -/\n@[simp, reducible]\nprivate noncomputable def answer", commands[0].Text, StringComparison.Ordinal);
        Assert.Equal(["answer", "answer_eq", "foo.bar"], commands.Select(c => c.DeclarationName));
    }

    [Fact]
    public void Tactic_blocks_with_command_like_words_are_not_cut()
    {
        var text = """
            theorem t (p : Prop) [Decidable p] : p ∨ ¬p := by
              open Classical in
              set_option maxRecDepth 100 in
              -- theorem in a comment
              /- def in a /- nested -/ comment
              example -/
              have s : String := "theorem in a string"
              exact em p
            example : True := trivial
            """;

        var commands = LeanSourceSplitter.Split(text.Replace("\r\n", "\n", StringComparison.Ordinal)).Commands;

        Assert.Equal(2, commands.Count);
        Assert.EndsWith("exact em p", commands[0].Text, StringComparison.Ordinal);
        Assert.Equal("example : True := trivial", commands[1].Text);
    }

    [Fact]
    public void Commands_ending_in_in_are_joined_to_the_next_command()
    {
        var text = "set_option maxHeartbeats 400000 in\ntheorem slow : True := by\n  trivial\nopen Nat in\nexample : succ 0 = 1 := rfl\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal(2, commands.Count);
        Assert.Equal(("slow", LeanCommandKind.Declaration), (commands[0].DeclarationName, commands[0].Kind));
        Assert.StartsWith("set_option maxHeartbeats 400000 in\ntheorem slow", commands[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("open Nat in\nexample", commands[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scoping_commands_are_commands_of_their_own()
    {
        var text = "namespace Foo\nvariable (x : Nat)\nopen Nat\nuniverse u\nsection Bar\ntheorem a : x = x := rfl\nend Bar\nend Foo\n#check Foo.a\n";

        var kinds = LeanSourceSplitter.Split(text).Commands.Select(c => c.Kind);

        Assert.Equal(
            [LeanCommandKind.Namespace, LeanCommandKind.Variable, LeanCommandKind.Open, LeanCommandKind.Universe, LeanCommandKind.Section,
             LeanCommandKind.Declaration, LeanCommandKind.End, LeanCommandKind.End, LeanCommandKind.HashCommand],
            kinds);
    }

    [Fact]
    public void Indented_declarations_inside_a_namespace_still_split()
    {
        var text = "namespace Foo\n  theorem a : True := trivial\n  theorem b : True := by\n    sorry\nend Foo\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal(["namespace Foo", "theorem a : True := trivial", "theorem b : True := by\n    sorry", "end Foo"], commands.Select(c => c.Text));
    }

    [Fact]
    public void A_mutual_block_is_one_command_and_deriving_clauses_stay_with_their_structure()
    {
        var text = "mutual\ndef even : Nat → Bool\n  | 0 => true\n  | n+1 => odd n\ndef odd : Nat → Bool\n  | 0 => false\n  | n+1 => even n\nend\nstructure P where\n  x : Nat\nderiving Repr\nderiving instance BEq for P\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal(3, commands.Count);
        Assert.StartsWith("mutual", commands[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("even n\nend", commands[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("deriving Repr", commands[1].Text, StringComparison.Ordinal);
        Assert.Equal("deriving instance BEq for P", commands[2].Text);
    }

    [Fact]
    public void Unicode_crlf_and_tabs_keep_offsets_exact()
    {
        var text = "import Mathlib\r\n\r\ntheorem 𝔽_lemma (α : Type) (h : ∀ x : α, x = x) :\r\n\tTrue := by\r\n  sorry\r\n";

        var layout = LeanSourceSplitter.Split(text);

        var command = Assert.Single(layout.Commands);
        Assert.Equal(text[command.Start..command.End], command.Text);
        Assert.Equal("𝔽_lemma", command.DeclarationName);
        Assert.EndsWith("sorry", command.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Char_literals_raw_strings_and_primes_do_not_confuse_the_lexer()
    {
        var text = "def c : Char := '\"'\ndef r : String := r#\"a \" theorem \"#\ntheorem h' : c = c := rfl\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal(["c", "r", "h'"], commands.Select(c => c.DeclarationName));
    }

    [Fact]
    public void A_string_inside_an_interpolation_does_not_end_the_interpolated_string()
    {
        // Read as plain strings, "{" would end at the second quote and `theorem x` would start a command.
        var text = "def m := s!\"{\"\ntheorem x\"}\"\ntheorem t : True := trivial\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal(["m", "t"], commands.Select(c => c.DeclarationName));
        Assert.Equal("def m := s!\"{\"\ntheorem x\"}\"", commands[0].Text);
    }

    [Fact]
    public void Module_docs_and_instances_with_priorities()
    {
        var text = "/-! # Module doc -/\ninstance (priority := low) instFoo : Inhabited Nat := ⟨0⟩\ninstance : Inhabited Bool := ⟨true⟩\n";

        var commands = LeanSourceSplitter.Split(text).Commands;

        Assert.Equal([LeanCommandKind.ModuleDoc, LeanCommandKind.Declaration, LeanCommandKind.Declaration], commands.Select(c => c.Kind));
        Assert.Equal([null, "instFoo", null], commands.Select(c => c.DeclarationName));
    }
}
