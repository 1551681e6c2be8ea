using System.CommandLine;
using Dsl.Cli;

RootCommand root = new("dsl: compiled ML data pipelines over Parquet.");
root.Subcommands.Add(ParquetCommands.Create());
return root.Parse(args).Invoke();
