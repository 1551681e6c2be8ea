using System.Collections.Immutable;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dsl.Generators.Tests.Analyzers;

/// <summary>
/// The analyzers stay cheap per keystroke: they register symbol and operation (block) actions only, never compilation,
/// semantic-model or syntax-tree actions that walk whole trees.
/// </summary>
public sealed class AnalyzerShapeTests
{
    [Fact]
    public void EveryAnalyzer_RegistersOnlySymbolOrOperationActions()
    {
        foreach (DiagnosticAnalyzer analyzer in AnalyzerRunner.All)
        {
            var context = new RecordingContext();
            analyzer.Initialize(context);

            Assert.NotEmpty(context.Registered);
            Assert.All(context.Registered, kind => Assert.Contains(kind, new[] { "Symbol", "OperationBlockStart", "OperationBlock", "Operation" }));
            Assert.True(context.Concurrent, analyzer.GetType().Name + " should enable concurrent execution.");
        }
    }

    [Fact]
    public void EveryAnalyzerDescriptor_IsInTheCatalog()
    {
        foreach (DiagnosticAnalyzer analyzer in AnalyzerRunner.All)
        {
            foreach (DiagnosticDescriptor descriptor in analyzer.SupportedDiagnostics)
            {
                Assert.Same(Dsl.Generators.Diagnostics.DiagnosticDescriptors.ById(descriptor.Id), descriptor);
            }
        }
    }

    private sealed class RecordingContext : AnalysisContext
    {
        public List<string> Registered { get; } = [];

        public bool Concurrent { get; private set; }

        public override void EnableConcurrentExecution() => Concurrent = true;

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode)
        {
        }

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) => Registered.Add("CompilationStart");

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => Registered.Add("Compilation");

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => Registered.Add("SemanticModel");

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => Registered.Add("Symbol");

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => Registered.Add("CodeBlockStart");

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => Registered.Add("CodeBlock");

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => Registered.Add("SyntaxTree");

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => Registered.Add("SyntaxNode");

        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => Registered.Add("OperationBlockStart");

        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => Registered.Add("OperationBlock");

        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => Registered.Add("Operation");
    }
}
