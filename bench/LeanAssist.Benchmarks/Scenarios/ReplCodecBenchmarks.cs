using System.Text;
using BenchmarkDotNet.Attributes;
using LeanAssist.Lean.Repl;

namespace LeanAssist.Benchmarks.Scenarios;

/// <summary>BenchmarkDotNet micro-benchmarks of the client's per-request CPU work (run with the <c>codec</c> verb).</summary>
[MemoryDiagnoser]
public class ReplCodecBenchmarks
{
    private readonly byte[] _answer = Encoding.UTF8.GetBytes(ClientOverheadScenario.TypicalAnswer);
    private readonly ReplTacticRequest _request = new("simp only [Nat.add_zero, Finset.sum_range_succ] at h ⊢", 17);

    [Benchmark]
    public byte[] EncodeTacticRequest() => _request.ToWireBytes();

    [Benchmark]
    public ReplResponse ParseTacticAnswer() => ReplResponseParser.Parse(_answer, expectsProofStateResponse: true);
}
