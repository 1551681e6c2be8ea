using System.Diagnostics;

namespace Dsl.Testing;

/// <summary>Runs a reference program (Debian's Python with a test script, dotnet) and returns what it printed.</summary>
public static class Programs
{
    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> (each passed as one argument) and returns its
    /// standard output.
    /// </summary>
    /// <param name="hint">What to do when it fails (which script installs what it needs), added to the message.</param>
    /// <exception cref="InvalidOperationException">It exited with another code than 0; the message holds both outputs.</exception>
    public static string Run(string program, IEnumerable<string> arguments, string hint = "")
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(Path.GetFileName(program) + " " + string.Join(' ', start.ArgumentList) + " failed" + (hint.Length == 0 ? "" : " (" + hint + ")") + ":\n" + stdout + stderr.Result);
        }
        return stdout;
    }

    /// <summary>Arguments written as a shell would split them: words, or <c>"quoted paths"</c>.</summary>
    public static IEnumerable<string> Words(string arguments) =>
        System.Text.RegularExpressions.Regex.Matches(arguments, "\"([^\"]*)\"|(\\S+)").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);

    /// <summary>Runs the test script <c>tests/tools/<paramref name="script"/></c> (such as <c>scoring/onnx-models.py</c>) with Debian's <c>/usr/bin/python3</c>.</summary>
    public static string Python(string script, IEnumerable<string> arguments, string hint) =>
        Run("/usr/bin/python3", [Path.Combine(RepoPaths.RepoRoot, "tests", "tools", script), .. arguments], hint);
}
