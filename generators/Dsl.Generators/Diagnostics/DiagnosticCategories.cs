namespace Dsl.Generators.Diagnostics;

/// <summary>The categories diagnostics are filed under.</summary>
internal static class DiagnosticCategories
{
    public const string Schema = "Dsl.Schema";
    public const string Stage = "Dsl.Stage";
    public const string Graph = "Dsl.Graph";
    public const string Performance = "Dsl.Performance";
}
