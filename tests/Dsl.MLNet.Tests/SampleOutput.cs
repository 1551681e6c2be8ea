using Dsl.Pipeline1;
using Dsl.Testing;

namespace Dsl.MLNet.Tests;

/// <summary>
/// The template's sample pipeline run once, as its Program.cs runs it: 200,000 sample transactions in four files, then
/// `run` into a committed output whose features the tests train on.
/// </summary>
public sealed class SampleOutput : IDisposable
{
    /// <summary>Sample transactions written.</summary>
    public const int Rows = 200_000;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-mlnet-sample");

    public SampleOutput()
    {
        string input = _temp.CreateSubdirectory("data");
        SampleData.Write(input, Rows, files: 4, seed: 42);
        Folder = _temp.Combine("out");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PipelineHost.Run(FraudFeatures.Compiled, ["run", "--input", input, "--output", Folder], SampleData.Write, stdout, stderr);
        if (code != 0)
        {
            throw new InvalidOperationException($"The sample pipeline failed ({code}): {stderr}{stdout}");
        }
    }

    /// <summary>The committed output folder.</summary>
    public string Folder { get; }

    public void Dispose() => _temp.Dispose();
}
