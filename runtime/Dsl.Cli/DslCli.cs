using System.CommandLine;

namespace Dsl.Cli;

/// <summary>The <c>dsl</c> command line, runnable in-process: output and errors go to the writers given.</summary>
public static class DslCli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand CreateRootCommand()
    {
        RootCommand root = new("dsl: compiled ML data pipelines over Parquet.");
        root.Subcommands.Add(ParquetCommands.Create());
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code (0 on success).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="output">Where the command's output goes (standard output for the tool).</param>
    /// <param name="error">Where errors go, one line each (standard error for the tool).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        return CreateRootCommand().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
