using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Testing.Kimina;

namespace LeanAssist.Suggestions.Tests.Remote;

public sealed class DeclarationSnippetTests
{
    private const string File = "import Mathlib.Tactic\r\n\r\n-- a comment\r\ndef f : Nat := by sorry\r\n\r\ntheorem two (x : Nat) (h : x = 2) : x = 2 := by\r\n  sorry\r\n";

    private static LeanFileSnapshot Snapshot() => LeanFileSnapshot.Create(new SourceText(File), "kimina:test", _ => "");

    [Fact]
    public void The_imports_are_Kiminas_header_and_commands_start_on_the_recorded_body_lines()
    {
        var snippet = DeclarationSnippet.ForFile(Snapshot());
        Assert.Equal("import Mathlib.Tactic\n\ndef f : Nat := by sorry\n\ntheorem two (x : Nat) (h : x = 2) : x = 2 := by\n  sorry", snippet.Code);

        // Kimina's own split (ported in the double) gives this body, whose lines the snippet's mapping uses.
        var (header, body) = KiminaServerDouble.Split(snippet.Code);
        Assert.Equal("import Mathlib", header);
        Assert.Equal(3, snippet.LastCommandLine);
        Assert.StartsWith("theorem two", body.Split('\n')[snippet.LastCommandLine - 1], StringComparison.Ordinal);
        Assert.Equal(0, snippet.CommandAt(1));
        Assert.Equal(1, snippet.CommandAt(4));
        Assert.Equal(new LeanPosition(2, 2), snippet.InCommand(1, new LeanPosition(4, 2)));
    }

    [Fact]
    public void A_candidate_goes_where_the_sorry_was_as_the_editor_would_put_it()
    {
        var snapshot = Snapshot();
        var declaration = snapshot.Commands[1].SentText;
        var sorry = declaration.IndexOf("sorry", StringComparison.Ordinal);
        var multiLine = DeclarationSnippet.WithCandidate(declaration, sorry, sorry + 5, "subst h\nrfl");
        Assert.Equal("theorem two (x : Nat) (h : x = 2) : x = 2 := by\n  subst h\n  rfl", multiLine);

        var term = DeclarationSnippet.WithCandidate("def g : Nat := sorry", 15, 20, "exact 3");
        Assert.Equal("def g : Nat := by exact 3", term);

        var snippet = DeclarationSnippet.ForDeclaration(snapshot, 1, multiLine);
        Assert.EndsWith("def f : Nat := by sorry\n\n" + multiLine, snippet.Code, StringComparison.Ordinal);
    }
}
