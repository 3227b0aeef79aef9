using LeanAssist.Lean.Text;
using LeanAssist.Server.Editor;

namespace LeanAssist.Server.Tests.Editor;

public sealed class TargetLocatorTests
{
    private static IReadOnlyList<string> SorriesAtEveryOccurrenceOf(string source, string word)
    {
        var text = new SourceText(source);
        var found = new List<string>();
        for (var at = source.IndexOf(word, StringComparison.Ordinal); at >= 0; at = source.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            var cursor = text.GetUtf16Position(at + 1);
            found.AddRange(TargetLocator.SorriesAt(text, new Utf16Range(cursor, cursor)).Select(r => $"{r.Start.Line}:{r.Start.Character}"));
        }

        return found;
    }

    [Fact]
    public void A_sorry_in_the_code_of_an_interpolated_string_is_found_and_one_in_its_text_is_not()
    {
        // Lean elaborates the {…} of s!"…" (the first sorry is a real one); the second is only text.
        const string source = "def m (n : Nat) : String :=\n  s!\"{(sorry : Nat)} sorry {n}\"\n";

        Assert.Equal(["1:7"], SorriesAtEveryOccurrenceOf(source, "sorry"));
    }

    [Fact]
    public void Sorries_in_comments_and_plain_strings_are_not_targets()
    {
        const string source = "theorem t : True := by\n  -- sorry\n  have : \"{sorry}\".length = 7 := rfl\n  sorry\n";

        Assert.Equal(["3:2"], SorriesAtEveryOccurrenceOf(source, "sorry"));
    }
}
