using System.Diagnostics;
using System.Text.Json;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace Dsl.Sdk.Tasks;

/// <summary>
/// After a build, asks the built pipeline program for its compiled plan (<c>explain --format json</c> and
/// <c>--format mermaid</c>), checks the JSON is a plan, and writes <c>NAME.plan.json</c> and <c>NAME.plan.mmd</c>
/// next to the output, so the plan can be reviewed, diffed in pull requests and shipped with a bundle.
/// </summary>
public sealed class WritePipelinePlan : Task
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The built program (<c>$(TargetPath)</c>).</summary>
    [Required]
    public string AssemblyPath { get; set; } = "";

    /// <summary>The folder the plan files go to.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The <c>dotnet</c> host to run the program with (<c>$(DOTNET_HOST_PATH)</c>); <c>dotnet</c> on PATH when empty.</summary>
    public string? DotNetHostPath { get; set; }

    /// <summary>The files written.</summary>
    [Output]
    public ITaskItem[] PlanFiles { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        (int exit, string json, string error) = Explain("json");
        if (exit != 0)
        {
            Log.LogWarning(
                subcategory: null, warningCode: "DSL5003", helpKeyword: null, file: AssemblyPath, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
                message: $"'{Path.GetFileName(AssemblyPath)}' did not print its plan (exit code {exit}): {FirstLine(error)}. A pipeline program's Main should return PipelineHost.Run(...); set DslWritePlan=false to skip this step.");
            return true;
        }

        string name;
        try
        {
            using JsonDocument plan = JsonDocument.Parse(json);
            name = plan.RootElement.GetProperty("name").GetString() ?? throw new KeyNotFoundException("name");
            _ = plan.RootElement.GetProperty("segments").GetArrayLength();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Log.LogError(
                subcategory: null, errorCode: "DSL5004", helpKeyword: null, file: AssemblyPath, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
                message: $"'{Path.GetFileName(AssemblyPath)}' printed something that is not a Dsl plan for 'explain --format json' ({e.Message}). Check that Main passes its arguments to PipelineHost.Run unchanged.");
            return false;
        }

        (int mermaidExit, string mermaid, string mermaidError) = Explain("mermaid");
        if (mermaidExit != 0)
        {
            Log.LogError(
                subcategory: null, errorCode: "DSL5004", helpKeyword: null, file: AssemblyPath, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
                message: $"'{Path.GetFileName(AssemblyPath)}' printed its JSON plan but failed on 'explain --format mermaid' (exit code {mermaidExit}): {FirstLine(mermaidError)}.");
            return false;
        }

        Directory.CreateDirectory(OutputDirectory);
        string jsonPath = Path.Combine(OutputDirectory, name + ".plan.json");
        string mermaidPath = Path.Combine(OutputDirectory, name + ".plan.mmd");
        WriteIfChanged(jsonPath, json);
        WriteIfChanged(mermaidPath, mermaid);
        PlanFiles = [new Microsoft.Build.Utilities.TaskItem(jsonPath), new Microsoft.Build.Utilities.TaskItem(mermaidPath)];
        Log.LogMessage(MessageImportance.Normal, $"Dsl: wrote the plan of pipeline '{name}' to {jsonPath}");
        return true;
    }

    private (int Exit, string Stdout, string Stderr) Explain(string format)
    {
        var start = new ProcessStartInfo(string.IsNullOrEmpty(DotNetHostPath) ? "dotnet" : DotNetHostPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(AssemblyPath))!,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(AssemblyPath);
        start.ArgumentList.Add("explain");
        start.ArgumentList.Add("--format");
        start.ArgumentList.Add(format);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{start.FileName}'.");
        System.Threading.Tasks.Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit((int)Timeout.TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"'explain' did not finish within {Timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout, stderr.Result);
    }

    // Unchanged plans keep their timestamps, so anything downstream of them stays up to date.
    private static void WriteIfChanged(string path, string content)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            File.WriteAllText(path, content);
        }
    }

    private static string FirstLine(string text)
    {
        string trimmed = text.Trim();
        int newline = trimmed.IndexOf('\n');
        return trimmed.Length == 0 ? "no error output" : newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }
}
